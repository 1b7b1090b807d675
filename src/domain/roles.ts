/** Who may call the API (token roles). Workflow-safe: the lifecycle definition names them per action. */
/** `callcentre`: the call centre's system, which may only report call-back outcomes. */
export const ROLES = ['integration', 'technician', 'ops', 'callcentre'] as const;
export type Role = (typeof ROLES)[number];

/** Who took an action, as recorded on the request (token name and role). */
export interface Actor {
  name: string;
  role: Role;
}
