import { verifyPhotos } from '../src/adapters/storage';
import type { ServiceActivities } from './contract';
import type { ActivityDeps } from './deps';

/** The photo check (docs/lifecycle.md): checks storage itself — an announced upload that is not a real image does not count. */
export function photoActivities(deps: ActivityDeps): Pick<ServiceActivities, 'checkPhotos'> {
  return {
    async checkPhotos({ requestId, required }) {
      return verifyPhotos(deps.storage, requestId, required);
    },
  };
}
