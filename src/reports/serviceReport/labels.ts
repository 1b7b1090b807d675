/**
 * Every text of the customer service report (《客户服务报告》) in zh and en, and the view both renderers draw
 * (the page, src/api/report/page.ts, and the PDF, ./pdf.ts): one place decides the sections, their order and
 * wording, so the page and the PDF cannot drift apart. Amounts are fen, shown with two decimals; times in the
 * document's time zone.
 */
import { formatAmount, formatMoney, type FaultCause, type PricedLine, type WarrantyStatus } from '../../domain/charges';
import { maskName, type ServiceReportDocument } from '../../domain/serviceReport';

export type ReportLang = 'zh' | 'en';
type PaymentMethod = ServiceReportDocument['payments'][number]['method'];

const TEXT = {
  zh: {
    title: '客户服务报告',
    ticket: '工单号',
    visit: '上门次数',
    visitValue: (n: number) => `第 ${n} 次上门`,
    completedAt: '完成时间',
    customerSection: '客户信息',
    customerName: '客户姓名',
    customerPhone: '联系电话',
    productSection: '产品信息',
    category: '产品类别',
    model: '型号',
    serialNumber: '序列号',
    purchaseDate: '购买日期',
    technicianSection: '服务工程师',
    technicianName: '工程师',
    workNumber: '工号',
    diagnosisSection: '保修与故障',
    warranty: '保修状态',
    coverUntil: '保修截止',
    warrantyMonths: '保修期',
    months: (n: number) => `${n} 个月`,
    extendedWarranty: '延保卡号',
    chargeable: '是否收费',
    chargeableValue: (c: boolean) => (c ? '收费维修' : '免费维修'),
    faultCause: '故障原因',
    diagnosis: '检测结果',
    workSection: '维修内容',
    workDone: '处理措施',
    partsSection: '维修项目及配件',
    item: '项目',
    quantity: '数量',
    unitPrice: '单价',
    amount: '金额',
    oldPart: '旧件展示',
    noParts: '无',
    chargesSection: '费用',
    labour: '人工费',
    parts: '配件费',
    total: '合计',
    unit: (currency: string) => `金额单位：${currency === 'CNY' ? '元' : currency}`,
    paymentsSection: '付款记录',
    paidAt: '时间',
    method: '方式',
    note: '备注',
    noPayments: '无',
    checksSection: '完工确认',
    testRun: '试机',
    useExplained: '使用讲解',
    signature: '客户签字',
    yes: '是',
    no: '否',
    none: '—',
    downloadPdf: '下载 PDF',
    otherLang: 'English',
    page: (n: number, of: number) => `第 ${n} / ${of} 页`,
    faultCauses: { quality: '产品质量', misuse: '使用不当', transport: '运输损坏', wear: '正常磨损', other: '其他' },
    methods: { on_site: '现场支付', invoice: '开具发票后支付', waived: '免收' },
    warrantyStatus: { in_warranty: '保修期内', out_of_warranty: '已过保修期' },
    oldPartShown: (shown: boolean) => (shown ? '旧件已展示' : '旧件未展示'),
    testRunValue: (done: boolean, minutes?: number) => (!done ? '未试机' : minutes !== undefined ? `试机 ${minutes} 分钟` : '已试机'),
    useExplainedValue: (done: boolean) => (done ? '已向客户讲解使用方法' : '未讲解'),
    signatureValue: (has: boolean) => (has ? '有签字照片存档' : '无'),
    messages: {
      expired: ['报告链接已过期', '链接的有效期已过。如需服务报告，请拨打客服热线。'],
      invalid: ['报告链接无效', '请检查短信中的链接是否完整。'],
      missing: ['未找到服务报告', '报告尚未生成或已被删除。如有疑问，请拨打客服热线。'],
      unavailable: ['服务暂时不可用', '请稍后刷新页面重试。'],
    },
  },
  en: {
    title: 'Customer Service Report',
    ticket: 'Ticket',
    visit: 'Visit',
    visitValue: (n: number) => `Visit ${n}`,
    completedAt: 'Completed',
    customerSection: 'Customer',
    customerName: 'Name',
    customerPhone: 'Phone',
    productSection: 'Product',
    category: 'Category',
    model: 'Model',
    serialNumber: 'Serial number',
    purchaseDate: 'Purchased',
    technicianSection: 'Technician',
    technicianName: 'Technician',
    workNumber: 'Work number',
    diagnosisSection: 'Warranty and fault',
    warranty: 'Warranty',
    coverUntil: 'Covered until',
    warrantyMonths: 'Warranty period',
    months: (n: number) => `${n} months`,
    extendedWarranty: 'Extended warranty no.',
    chargeable: 'Billing',
    chargeableValue: (c: boolean) => (c ? 'Chargeable repair' : 'Free of charge'),
    faultCause: 'Fault cause',
    diagnosis: 'Diagnosis',
    workSection: 'Work done',
    workDone: 'Work done',
    partsSection: 'Labour and parts',
    item: 'Item',
    quantity: 'Qty',
    unitPrice: 'Unit price',
    amount: 'Amount',
    oldPart: 'Old part',
    noParts: 'None',
    chargesSection: 'Charges',
    labour: 'Labour',
    parts: 'Parts',
    total: 'Total',
    unit: (currency: string) => `Amounts in ${currency}`,
    paymentsSection: 'Payments',
    paidAt: 'Time',
    method: 'Method',
    note: 'Note',
    noPayments: 'None',
    checksSection: 'Completion',
    testRun: 'Test run',
    useExplained: 'Use explained',
    signature: 'Signature',
    yes: 'Yes',
    no: 'No',
    none: '—',
    downloadPdf: 'Download PDF',
    otherLang: '中文',
    page: (n: number, of: number) => `Page ${n} of ${of}`,
    faultCauses: { quality: 'Product quality', misuse: 'Misuse', transport: 'Transport damage', wear: 'Wear', other: 'Other' },
    methods: { on_site: 'Paid on site', invoice: 'Paid by invoice', waived: 'Waived' },
    warrantyStatus: { in_warranty: 'In warranty', out_of_warranty: 'Out of warranty' },
    oldPartShown: (shown: boolean) => (shown ? 'Old part shown' : 'Old part not shown'),
    testRunValue: (done: boolean, minutes?: number) =>
      !done ? 'Not test-run' : minutes !== undefined ? `Test-run for ${minutes} minutes` : 'Test-run',
    useExplainedValue: (done: boolean) => (done ? 'Use explained to the customer' : 'Not explained'),
    signatureValue: (has: boolean) => (has ? 'Signature photo on file' : 'None'),
    messages: {
      expired: ['This report link has expired', 'The link is no longer valid. Please call our hotline for your service report.'],
      invalid: ['This report link is not valid', 'Please check that the link from your SMS is complete.'],
      missing: ['Service report not found', 'The report has not been written yet, or was removed. Questions? Please call our hotline.'],
      unavailable: ['Service temporarily unavailable', 'Please reload the page in a moment.'],
    },
  },
} as const;

export type ReportTexts = (typeof TEXT)[ReportLang];
export type ReportMessage = keyof ReportTexts['messages'];

export function reportTexts(lang: ReportLang): ReportTexts {
  return TEXT[lang];
}

export { formatMoney };

const DATE_TIME_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** "2026年12月2日 14:05" / "2 Dec 2026, 14:05" in `timeZone`; an unreadable value is shown as given. */
export function formatDateTime(lang: ReportLang, iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const key = `${lang}|${timeZone}`;
  let f = DATE_TIME_FORMATS.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      timeZone,
      year: 'numeric',
      month: lang === 'zh' ? 'numeric' : 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    DATE_TIME_FORMATS.set(key, f);
  }
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return lang === 'zh' ? `${p.year}年${p.month}月${p.day}日 ${p.hour}:${p.minute}` : `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute}`;
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A local date (YYYY-MM-DD, no zone: shifting it would change the day): "2024年3月18日" / "18 Mar 2024". */
export function formatDate(lang: ReportLang, ymd: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  const [, y, mo, d] = m.map(Number) as [number, number, number, number];
  return lang === 'zh' ? `${y}年${mo}月${d}日` : `${d} ${MONTHS_EN[mo - 1] ?? mo} ${y}`;
}

export const faultCauseLabel = (lang: ReportLang, cause: FaultCause): string => TEXT[lang].faultCauses[cause] ?? cause;
export const paymentMethodLabel = (lang: ReportLang, method: PaymentMethod): string => TEXT[lang].methods[method] ?? method;
export const warrantyStatusLabel = (lang: ReportLang, status: WarrantyStatus): string => TEXT[lang].warrantyStatus[status] ?? status;
/** "13800138000" → "138****8000"; a phone already masked (has `*`) is kept: the page must never show a full number. */
export function maskPhone(phone: string): string {
  if (phone.includes('*')) return phone;
  const all = phone.replace(/\D/g, '');
  const digits = all.length === 13 && all.startsWith('86') ? all.slice(2) : all;
  return digits.length < 7 ? '*'.repeat(digits.length) : `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}

/** Categories are keys (gas_water_heater) and the repo has no names for them yet: shown as they are. */
export const categoryLabel = (_lang: ReportLang, category: string): string => category;
/** A line's name in the language, else the other one, else its code. */
export const lineName = (lang: ReportLang, line: PricedLine): string => line.name[lang] || line.name.zh || line.name.en || line.ref;

export interface ReportField {
  /** Element id on the page (browser tests find it); absent for most fields. */
  id?: string;
  label: string;
  value: string;
  /** Free text written by people (diagnosis, work done): may span lines. */
  long?: boolean;
}

export interface ReportSection {
  id: string;
  heading: string;
  fields: ReportField[];
}

export interface ReportLineRow {
  name: string;
  ref: string;
  quantity: string;
  unitPrice: string;
  amount: string;
  /** Parts only: whether the replaced part was shown to the customer. */
  oldPart: string;
}

/** What both renderers draw, in order, already worded and formatted (not escaped: each renderer escapes its way). */
export interface ReportView {
  lang: ReportLang;
  title: string;
  ticket: ReportField;
  completedAt: ReportField;
  /** Before the lines: visit, customer, product, technician, warranty and fault, work done. */
  sections: ReportSection[];
  lines: { heading: string; unit: string; columns: [string, string, string, string, string]; rows: ReportLineRow[]; empty: string };
  charges: { heading: string; rows: ReportField[]; total: ReportField };
  payments: { heading: string; columns: [string, string, string, string]; rows: [string, string, string, string][]; empty: string };
  /** After the payments: test run, use explained, signature. */
  checks: ReportSection;
}

/** The report worded in `lang`: the customer's name masked again (harmless if it already is), no address. */
export function reportView(doc: ServiceReportDocument, lang: ReportLang): ReportView {
  const t = TEXT[lang];
  const cur = doc.charges.currency;
  const amount = (n: number) => formatAmount(n);
  const field = (label: string, value: string | undefined, extra: Partial<ReportField> = {}): ReportField[] =>
    value === undefined || value === '' ? [] : [{ label, value, ...extra }];
  const w = doc.warranty;
  const tech = doc.technician;
  return {
    lang,
    title: t.title,
    ticket: { id: 'ticket', label: t.ticket, value: doc.ticket },
    completedAt: { id: 'completed-at', label: t.completedAt, value: formatDateTime(lang, doc.completedAt, doc.timeZone) },
    sections: [
      {
        id: 'customer',
        heading: t.customerSection,
        fields: [...field(t.customerName, maskName(doc.customer.name)), ...field(t.customerPhone, maskPhone(doc.customer.phone))],
      },
      {
        id: 'product',
        heading: t.productSection,
        fields: [
          ...field(t.category, categoryLabel(lang, doc.product.category)),
          ...field(t.model, doc.product.model),
          ...field(t.serialNumber, doc.product.serialNumber),
          ...field(t.purchaseDate, formatDate(lang, doc.product.purchaseDate)),
        ],
      },
      {
        id: 'technician',
        heading: t.technicianSection,
        fields: [
          ...field(t.technicianName, tech.name ?? (tech.workNumber ? undefined : tech.id)),
          ...field(t.workNumber, tech.workNumber),
          ...field(t.visit, t.visitValue(doc.visit)),
        ],
      },
      {
        id: 'diagnosis',
        heading: t.diagnosisSection,
        fields: [
          ...field(t.warranty, w && warrantyStatusLabel(lang, w.status)),
          ...field(t.coverUntil, w && formatDate(lang, w.coverUntil)),
          ...field(t.warrantyMonths, w && t.months(w.months)),
          ...field(t.extendedWarranty, w?.extendedWarrantyNumber),
          ...field(t.chargeable, t.chargeableValue(doc.chargeable.chargeable)),
          ...field(t.faultCause, doc.faultCause && faultCauseLabel(lang, doc.faultCause)),
          ...field(t.diagnosis, doc.diagnosis, { id: 'diagnosis-text', long: true }),
        ],
      },
      { id: 'work', heading: t.workSection, fields: field(t.workDone, doc.workDone || t.none, { id: 'work-done', long: true }) },
    ],
    lines: {
      heading: t.partsSection,
      unit: t.unit(cur),
      columns: [t.item, t.quantity, t.unitPrice, t.amount, t.oldPart],
      rows: [...(doc.labour ?? []).map((l) => ({ ...l, oldPartShown: false })), ...doc.partsUsed].map((l) => ({
        name: lineName(lang, l),
        ref: l.ref,
        quantity: String(l.quantity),
        unitPrice: amount(l.unitPrice),
        amount: amount(l.amount),
        oldPart: l.kind === 'part' ? t.oldPartShown(l.oldPartShown) : t.none,
      })),
      empty: t.noParts,
    },
    charges: {
      heading: t.chargesSection,
      rows: [
        { label: t.labour, value: formatMoney(lang, doc.charges.labour, cur) },
        { label: t.parts, value: formatMoney(lang, doc.charges.parts, cur) },
      ],
      total: { id: 'charges-total', label: t.total, value: formatMoney(lang, doc.charges.total, cur) },
    },
    payments: {
      heading: t.paymentsSection,
      columns: [t.paidAt, t.method, t.amount, t.note],
      rows: doc.payments.map((p) => [
        formatDateTime(lang, p.at, doc.timeZone),
        paymentMethodLabel(lang, p.method),
        formatMoney(lang, p.amount, cur),
        p.reason ?? '',
      ]),
      empty: t.noPayments,
    },
    checks: {
      id: 'checks',
      heading: t.checksSection,
      fields: [
        { id: 'test-run', label: t.testRun, value: t.testRunValue(doc.testRun.done, doc.testRun.minutes) },
        { id: 'use-explained', label: t.useExplained, value: t.useExplainedValue(doc.useExplained) },
        { id: 'signature', label: t.signature, value: t.signatureValue(doc.signature !== undefined) },
      ],
    },
  };
}
