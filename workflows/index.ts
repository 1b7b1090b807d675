// Every workflow the worker registers. Workflow-safe modules only.
export { serviceRequest } from './serviceRequest';
export { dispatchBoard } from './dispatchBoard';
