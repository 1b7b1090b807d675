/**
 * The customer's status page link (issue 15; docs/api.md, Customer status page): the receipt SMS (`received`, or a
 * complaint's `complaint_registered`) carries a signed link to `/s/<token>`, where the customer checks the request's
 * progress at any time, without a login. An activity signs it (the secret never enters workflow code); the token's
 * id is fixed and its expiry counts from receipt (policy `statusLink.validity`), so a retry — of the activity, or of
 * the SMS — gives the same link.
 *
 * Requests received before this change replay without it: the patch marker decides, and without it the receipt
 * goes out as it always did (the same command, in the same activation).
 */
import { ActivityFailure, patched } from '@temporalio/workflow';
import type { CustomerSmsKind } from '../../activities/contract';
import { statusTokenId } from '../../src/domain/statusLink';
import { acts } from '../proxies';
import type { Kit } from './kit';

/** Marker of requests whose receipt carries the status page link. */
export const STATUS_LINK = 'status-link';

/** The receipt SMS of `kind` (`onSent`: the acknowledgement deadline is met), with the status page link when patched. */
export function sendReceipt(k: Kit, kind: Extract<CustomerSmsKind, 'received' | 'complaint_registered'>, onSent: () => void): void {
  if (!patched(STATUS_LINK)) {
    k.notify.customer(kind, {}, onSent);
    return;
  }
  // Beside the main line: dispatch does not wait for the link; the workflow waits for the SMS before it ends.
  k.notify.customerWith(
    kind,
    async () => {
      const statusLink = await issueStatusLink(k);
      return statusLink ? { statusLink } : {};
    },
    onSent,
  );
}

/** The signed link, or undefined when it could not be issued (then the receipt goes without it, and the timeline says so). */
async function issueStatusLink(k: Kit): Promise<string | undefined> {
  const expiresAt = new Date(k.record.data.receivedMs + k.rules.statusLink().validity.ms).toISOString();
  try {
    const { url } = await acts.issueCustomerLink.executeWithOptions({ summary: 'Status page link for the customer' }, [
      { purpose: 'status', requestId: k.record.requestId, tokenId: statusTokenId(k.rules.language), expiresAt },
    ]);
    return url;
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    k.record.log('status_link_not_issued', `${err.cause?.message ?? err.message}; receipt SMS without the link`);
    return undefined;
  }
}
