// mailauth's Received-header parser (lib/parse-received.js) has no declarations of its own.
declare module 'mailauth/lib/parse-received.js' {
  export function parseReceived(line: string):
    | false
    | { from?: { value: string; comment?: string }; by?: { value: string; comment?: string }; [key: string]: unknown };
}
