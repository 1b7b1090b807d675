import { ApplicationFailure } from '@temporalio/activity';
import { priceLines } from '../src/catalogue';
import type { ServiceActivities } from './contract';
import type { ActivityDeps } from './deps';

/** Lifecycle 4: quotes and parts priced from the catalogue files, and the customer's signed quote / report links. */
export function chargeActivities(deps: ActivityDeps): Pick<ServiceActivities, 'issueCustomerLink' | 'priceLines'> {
  return {
    async issueCustomerLink({ purpose, requestId, tokenId, expiresAt }) {
      return { url: deps.customerLink(purpose, { requestId, tokenId, expiresAt }) };
    },
    async priceLines({ lines, category, path }) {
      // Not retryable: a worker started without its catalogue will not grow one (start-up loads it).
      if (!deps.catalogue) throw ApplicationFailure.nonRetryable('no price list / parts catalogue loaded', 'NoCatalogue');
      return priceLines(deps.catalogue, lines, category, path);
    },
  };
}
