import type { TtsClient } from './http-client.js';

/**
 * An application downlink as the Application Server's queue takes it. Either `frm_payload` (base64)
 * or `decoded_payload` (JSON, encoded by the application's payload formatter on the server).
 */
export interface ApplicationDownlink {
  f_port: number;
  frm_payload?: string;
  decoded_payload?: Record<string, unknown>;
  confirmed?: boolean;
  priority?: 'LOWEST' | 'LOW' | 'BELOW_NORMAL' | 'NORMAL' | 'ABOVE_NORMAL' | 'HIGH' | 'HIGHEST';
  correlation_ids?: string[];
}

const path = (applicationId: string, deviceId: string) =>
  `/as/applications/${encodeURIComponent(applicationId)}/devices/${encodeURIComponent(deviceId)}/down`;

/** Appends to the device's downlink queue (`POST …/down/push`). */
export async function pushDownlinks(
  client: TtsClient,
  applicationId: string,
  deviceId: string,
  downlinks: readonly ApplicationDownlink[],
): Promise<void> {
  await client.post(`${path(applicationId, deviceId)}/push`, { downlinks });
}

/** Replaces the device's downlink queue (`POST …/down/replace`); an empty list clears it. */
export async function replaceDownlinks(
  client: TtsClient,
  applicationId: string,
  deviceId: string,
  downlinks: readonly ApplicationDownlink[],
): Promise<void> {
  await client.post(`${path(applicationId, deviceId)}/replace`, { downlinks });
}

/** The device's downlink queue as the Application Server holds it (`GET …/down`). */
export async function listDownlinks(
  client: TtsClient,
  applicationId: string,
  deviceId: string,
): Promise<ApplicationDownlink[]> {
  const r = await client.get<{ downlinks?: ApplicationDownlink[] }>(path(applicationId, deviceId));
  // TTS leaves zero values out of its JSON: an absent `confirmed` is false.
  return (r.downlinks ?? []).map((d) => ({ ...d, confirmed: d.confirmed ?? false }));
}
