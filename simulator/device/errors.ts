import { LorafleetError } from '../../crypto/errors.js';

/** A device configured in a way that cannot work (missing key, unknown data rate…). */
export class DeviceConfigError extends LorafleetError {
  constructor(
    readonly deviceId: string,
    readonly field: string,
    message: string,
  ) {
    super('LORAFLEET_DEVICE_CONFIG', `device ${deviceId}: ${field}: ${message}`);
  }
}

/** The state file cannot be read or written. */
export class StateStoreError extends LorafleetError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('LORAFLEET_STATE_STORE', `${file}: ${message}`, options);
  }
}
