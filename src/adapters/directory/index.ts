export type { TechnicianDirectory } from './types';
export { FileDirectory, type FileDirectoryOptions } from './fileDirectory';
export { parseRoster, RosterError, issuePath, type RosterIssue } from './validate';
