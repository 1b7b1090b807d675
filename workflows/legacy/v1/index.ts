// Lifecycle version 1 alone, as the workers before lifecycle versions registered it (used by the upgrade test).
export { serviceRequestV1 as serviceRequest } from './serviceRequest';
