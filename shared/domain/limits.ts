/**
 * The one set of size limits on what Suiji accepts. Every string of the zod schemas, every row
 * count and every body size is bounded by one of these, and input is checked against them before
 * anything is written: an unbounded field would otherwise reach DynamoDB (400 KB per item) or
 * SES (40 MB per message) and fail there, late, as a server error or half an import.
 *
 * Changing a value changes the schemas, the forms' `maxlength`, the import checks and the
 * request-size guard together; docs/SECURITY.md lists them.
 */
export const LIMITS = {
  /** Names, titles, short labels (企业名称, 姓名, 科室, 辖区, a tag, a result code…). */
  name: 200,
  /** Addresses (地址) and other one-line descriptions a little longer than a name. */
  address: 500,
  /** Free text: remarks, problem descriptions, reasons, legal bases, item contents. */
  text: 2_000,
  /** Entries of a list field (tags, jurisdictions, a plan's tasks, a result's codes…). */
  listItems: 500,
  /** Rows of one import file (a province-scale target pool comes in several files). */
  importRows: 200_000,
  /** Bytes of one import upload through the API (API Gateway's payload limit is 10 MB; larger files go through S3). */
  importBytes: 10 * 1024 * 1024,
  /** Bytes of any other request body (JSON or a form): generous for a plan with many tasks. */
  requestBytes: 1024 * 1024,
  /** Result lines taken from one reply by mail; the rest are refused with the reason. */
  replyLines: 200,
  /** Bytes of an inbound reply read at all (SES accepts up to 40 MB; a reply is a few KB of text). */
  inboundBytes: 10 * 1024 * 1024,
  /** Body lines of a reply looked at (quoted text is cut anyway). */
  replyBodyLines: 2_000,
  /** Lines a confirmation mail lists per section (recorded, refused, ignored) before "… and N more". */
  confirmationLines: 200,
} as const;

/** "不能超过 N 个字符" — the one wording of a length refusal. */
export const tooLongMessage = (max: number): string => `不能超过 ${max} 个字符`;
