import { parseKey } from '../src/adapters/storage/keys';
import { maskPhone } from '../src/logger';
import { serviceReportDocument, serviceReportName, type ServiceReportDocument } from '../src/domain/serviceReport';
import type { ServiceActivities } from './contract';
import type { ActivityDeps } from './deps';

const PDF_LANGUAGES = ['zh', 'en'] as const;

/**
 * The customer service report stored beside the photos (lifecycle 4): the document the report page reads, and a
 * PDF per language when the worker has a CJK font. PDFs first, the document last: the page offers the PDF only
 * once the document says it is there. Writing the same names again on a retry is harmless.
 */
export function serviceReportActivities(deps: ActivityDeps): Pick<ServiceActivities, 'storeServiceReport'> {
  return {
    async storeServiceReport(s) {
      const technician = await deps.directory.get(s.report.technicianId);
      const signatureType = s.report.signaturePhoto ? parseKey(s.report.signaturePhoto)?.contentType : undefined;
      const doc: ServiceReportDocument = serviceReportDocument(s, technician, maskPhone, signatureType);
      const pdfs: string[] = [];
      if (deps.reportPdf) {
        for (const lang of PDF_LANGUAGES) {
          const name = serviceReportName(doc.visit, 'pdf', lang);
          await deps.storage.putDocument(s.requestId, name, await deps.reportPdf(doc, lang));
          pdfs.push(name);
        }
        doc.pdf = [...PDF_LANGUAGES];
      }
      const json = serviceReportName(doc.visit, 'json');
      await deps.storage.putDocument(s.requestId, json, Buffer.from(JSON.stringify(doc), 'utf8'));
      deps.logger.info({ requestId: s.requestId, visit: doc.visit, pdf: pdfs.length > 0 }, 'service report stored');
      return { json, pdf: pdfs };
    },
  };
}
