declare module 'freemail' {
  /** Whether the address is at a free or disposable mail provider (gmail.com, outlook.com, …). */
  export function isFree(email: string): boolean;
  export function isDisposable(email: string): boolean;
}
