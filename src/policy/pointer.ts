/** JSON pointers (what schema errors carry) → the dotted paths an admin reads: "/escalation/1/phone" → "escalation[1].phone". */

const unescapePointer = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

export function segments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
}

/** The value at `pointer` inside `root`; undefined when the path does not exist. */
export function valueAt(root: unknown, pointer: string): unknown {
  let v: unknown = root;
  for (const s of segments(pointer)) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

/** "/escalation/1/phone" → "escalation[1].phone" (array indexes in brackets, decided by the actual value). */
export function dotted(root: unknown, pointer: string, extra?: string): string {
  let out = '';
  let v: unknown = root;
  for (const s of [...segments(pointer), ...(extra === undefined ? [] : [extra])]) {
    out += Array.isArray(v) ? `[${s}]` : out === '' ? s : `.${s}`;
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  }
  return out;
}

/** The sub-schema at a schema path such as "#/properties/calendar"; undefined when there is none. */
export function schemaAt(schema: unknown, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = schema;
  for (const s of segments(schemaPath.replace(/^#/, ''))) {
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[s] : undefined;
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}
