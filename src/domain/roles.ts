/** Who may call the API (token roles). Workflow-safe: the lifecycle definition names them per action. */
export const ROLES = ['integration', 'technician', 'ops'] as const;
export type Role = (typeof ROLES)[number];

/** Who took an action, as recorded on the request (token name and role). */
export interface Actor {
  name: string;
  role: Role;
}
