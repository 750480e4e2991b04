export type { MacCommand, MacCommandName, MacCommandOf, MacDirection, MacFields } from './fields.js';
export type { MacCommandSpec } from './codec.js';
export {
  MAC_COMMAND_SPECS,
  macCommandSpec,
  macCommandSpecByName,
  parseMacCommands,
  decodeMacCommands,
  encodeMacCommands,
  macCommandsLength,
  type ParsedMacCommands,
} from './table.js';
export { MAX_EIRP_DBM } from './radio-params.js';
