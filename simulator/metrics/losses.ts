/**
 * Why an application uplink never reached the application, each with how the summary says it: the
 * one list the verifier, the report and its schema use.
 */
export const UPLINK_LOSS_REASONS = {
  'out-of-range': 'out of range of every gateway',
  collided: 'collided at every gateway that heard it',
  network: 'received by a gateway, never delivered by the network',
} as const;

export type UplinkLossReason = keyof typeof UPLINK_LOSS_REASONS;
