/** What the radio made of an uplink: heard by no gateway, destroyed at every one, or received. */
export type RadioFate = 'out-of-range' | 'collided' | 'received';

/** What every frame on air is, whichever way it goes. */
export interface OnAir {
  frequencyHz: number;
  datr: string | number;
  startUs: number;
  airtimeUs: number;
  eirpDbm: number;
  phyPayload: Uint8Array;
}

/**
 * A frame that was on air and who heard it: what a frame trace and a capture are made of. Uplinks
 * are complete when they end (collisions are known then); downlinks when they start.
 */
export type AirFrame =
  | (OnAir & {
      dir: 'up';
      deviceId: string;
      /** The device's channel index (TxCh of a 1.1 uplink MIC). */
      channel: number;
      /** Every gateway that could demodulate it; `lost` where another frame destroyed it there. */
      receptions: { gatewayId: string; rssi: number; snr: number; lost?: 'collision' }[];
    })
  | (OnAir & {
      dir: 'down';
      gatewayId: string;
      /** The devices that may be listening and are in range. */
      heardBy: { deviceId: string; rssi: number; snr: number }[];
    });
