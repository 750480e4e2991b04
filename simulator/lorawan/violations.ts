/**
 * What a device saw the network do against the LoRaWAN specification: the one list of kinds both
 * device models (VirtualDevice and CompactFleet) report, each with what it means.
 */
export const VIOLATION_KINDS = {
  'bad-mic': 'a downlink addressed to the device whose MIC does not verify with its session keys',
  'fcnt-replay': 'a downlink FCnt at or below one already received (LoRaWAN 1.1 §4.3.1.5)',
  'fcnt-gap': 'a downlink FCnt more than MAX_FCNT_GAP ahead of the last one',
  'unexpected-ack': 'the ACK bit in a downlink while no confirmed uplink was waiting',
  'mac-unparsable': 'MAC commands that cannot be parsed (unknown CID, truncated payload)',
  'mac-not-in-version': 'a MAC command the device’s LoRaWAN version does not have',
  'mac-wrong-direction': 'an uplink-only MAC command sent downlink',
  'mac-unexpected': 'a MAC answer the device never asked for',
  'mac-not-in-region': 'a MAC command the region does not allow (e.g. NewChannelReq in US915)',
  'link-adr-refused': 'a LinkADRReq the device had to refuse (data rate, power or channel mask)',
  'rx-param-setup-refused': 'an RXParamSetupReq the device had to refuse',
  'new-channel-refused': 'a NewChannelReq the device had to refuse',
  'dl-channel-refused': 'a DlChannelReq the device had to refuse',
  'class-b-to-non-class-b': 'class B MAC commands to a device that is not class B',
  'unsolicited-answer': 'an answer to a request the device did not send',
  'sticky-answer-unacknowledged': 'a sticky MAC answer repeated in 8 uplinks with no downlink',
  'rekey-unconfirmed': 'a 1.1 RekeyInd never confirmed by RekeyConf',
  'join-nonce-replay': 'a Join-accept whose JoinNonce is not above the last one accepted (1.1 §6.2.3)',
  'join-accept-missing': 'no Join-accept in either join window',
  'downlink-outside-window': 'a downlink for the device outside any receive window it opened',
} as const;

export type ViolationKind = keyof typeof VIOLATION_KINDS;

/** Counts by kind, as devices and reports keep them. */
export type ViolationCounts = Partial<Record<ViolationKind, number>>;
