/** The error a bad catalogue file raises: every problem, each with its file and field path, in one message. */

export interface CatalogueIssue {
  /** The file, as configured. */
  file: string;
  /** Dotted path into it, e.g. "parts[3].price"; "" = the whole file. */
  path: string;
  message: string;
}

export class CatalogueError extends Error {
  constructor(readonly issues: CatalogueIssue[]) {
    const n = issues.length;
    const lines = issues.map((i) => `  - ${i.file}: ${i.path || '(file)'}: ${i.message}`);
    super([`Invalid catalogue (${n} problem${n === 1 ? '' : 's'}):`, ...lines].join('\n'));
    this.name = 'CatalogueError';
  }
}
