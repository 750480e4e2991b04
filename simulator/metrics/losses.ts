/**
 * Why an application uplink never reached the application, each with how the summary says it: the
 * one list the verifier, the report and its schema use.
 */
export const UPLINK_LOSS_REASONS = {
  'out-of-range': 'out of range of every gateway',
  collided: 'collided at every gateway that heard it',
  refused: 'refused by the network (its reasons: "the network said")',
  network: 'received by a gateway, never delivered by the network',
  'simulator-late':
    "received by a gateway while the simulator's own loop ran late, the embedded network on the same thread: its lag, not the network's",
} as const;

export type UplinkLossReason = keyof typeof UPLINK_LOSS_REASONS;

/** Why a frame for a device never reached it, each with how the summary says it. */
export const DOWNLINK_LOSS_REASONS = {
  'gateway-refused': 'refused by the gateway (TX_ACK error), never on air',
  'device-busy': 'in a receive window while the device radio was busy with another frame',
  'outside-window': 'outside every receive window the device opened',
  'too-weak': 'sent through a gateway too far for the device to hear it (radio geometry)',
  'not-scheduled': 'never sent: no gateway had room for it (schedule, duty cycle; "the network said")',
} as const;

export type DownlinkLossReason = keyof typeof DOWNLINK_LOSS_REASONS;
