/** Who may call the API (token roles). Workflow-safe: the lifecycle definition names them per action. */
/**
 * `callcentre`: the call centre's system, which may only report call-back outcomes. `warehouse`: the spare-parts
 * warehouse (or its system), which confirms parts dispatched and arrived (lifecycle 4). `supervisor`: the service
 * supervisor (服务主管) who approves the outcome of a return or exchange (lifecycle 5), and nothing else.
 */
export const ROLES = ['integration', 'technician', 'ops', 'callcentre', 'warehouse', 'supervisor'] as const;
export type Role = (typeof ROLES)[number];

/** Who took an action, as recorded on the request (token name and role). */
export interface Actor {
  name: string;
  role: Role;
}
