/**
 * The console's only way to the data: the HTTP API, with the signed-in person's bearer token.
 * Errors keep the server's Chinese message and field issues (shown beside the fields); a lost
 * connection or a 5xx becomes a clear message, and nothing the user typed is touched.
 */
import { session, signOut } from './auth';

export interface FieldIssue {
  field: string;
  message: string;
  path?: (string | number)[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly details?: unknown,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const OFFLINE_MESSAGE = '无法连接服务器，请检查网络后重试（已填写的内容不会丢失）';
export const SERVER_MESSAGE = '服务器暂时无法处理该请求，请稍后重试（已填写的内容不会丢失）';
/**
 * A write whose answer was lost (no connection, a 5xx) may have been stored all the same: say
 * so, and have the user look before repeating it (the API's writes are idempotent — a PUT replaces,
 * a repeated result is stored once — so a repeat does no harm, but the user should know).
 */
export const MAYBE_SAVED_MESSAGE = '保存结果未知：网络中断或服务器出错，本次操作可能已经生效。请刷新页面核实当前内容后，再决定是否重试（已填写的内容不会丢失）';

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const s = session.value;
  const headers: Record<string, string> = {};
  if (s) headers.authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return answer(method, fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));
}

/** The answer to a request already sent (by `request`, or by public/early-reads.js), its errors as ApiError. */
export async function answer(method: string, sent: Promise<Response>): Promise<Response> {
  const s = session.value;
  let res: Response;
  try {
    res = await sent;
  } catch {
    throw new ApiError(0, method === 'GET' ? OFFLINE_MESSAGE : MAYBE_SAVED_MESSAGE);
  }
  if (res.status === 401 && s) {
    signOut('登录已过期，请重新登录');
    throw new ApiError(401, '登录已过期，请重新登录');
  }
  if (!res.ok) {
    let payload: { message?: string; issues?: FieldIssue[]; details?: unknown; errors?: unknown } | undefined;
    try {
      payload = (await res.json()) as typeof payload;
    } catch {
      payload = undefined;
    }
    if (res.status >= 500) throw new ApiError(res.status, payload?.message && res.status === 503 ? payload.message : method === 'GET' ? SERVER_MESSAGE : MAYBE_SAVED_MESSAGE, [], undefined, payload);
    throw new ApiError(res.status, payload?.message ?? `请求失败（${res.status}）`, payload?.issues ?? [], payload?.details, payload);
  }
  return res;
}

/** An answer's body: JSON, text, or nothing (204). */
export async function bodyOf<T = unknown>(res: Response): Promise<T> {
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  return bodyOf<T>(await request(method, path, body));
}

export const get = <T = unknown>(path: string): Promise<T> => api<T>('GET', path);
export const post = <T = unknown>(path: string, body: unknown = {}): Promise<T> => api<T>('POST', path, body);
export const put = <T = unknown>(path: string, body: unknown): Promise<T> => api<T>('PUT', path, body);
export const del = <T = unknown>(path: string): Promise<T> => api<T>('DELETE', path);

/** Download a file the API serves (with the bearer token) and hand it to the browser. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await request('GET', path);
  const cd = res.headers.get('content-disposition') ?? '';
  const m = /filename\*=UTF-8''([^;]+)/.exec(cd);
  const name = m ? decodeURIComponent(m[1]!) : fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Field errors by the last segment of their machine path (form prop) and by Chinese label. */
export function issuesByField(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (e instanceof ApiError) {
    for (const i of e.issues) {
      const key = i.path?.length ? i.path.join('.') : i.field;
      out[key] ??= i.message;
    }
  }
  return out;
}
