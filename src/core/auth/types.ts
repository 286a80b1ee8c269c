/** What reading a DOCKER_AUTH_CONFIG gives: its entries and the problems found, never a secret. */

export interface AuthEntry {
  /** The `auths` key exactly as written. */
  readonly key: string;
  /** The username (decoded from `auth` when that is used); '' when unknown or absent. */
  readonly username: string;
  readonly hasSecret: boolean;
  readonly kind: 'auth' | 'username-password' | 'empty' | 'identitytoken';
}

export interface ParsedAuthConfig {
  readonly auths: readonly AuthEntry[];
  readonly credHelpers: readonly { readonly key: string; readonly helper: string }[];
  readonly credsStore: string | null;
}

export interface AuthConfigProblem {
  /** The `auths`/`credHelpers` key concerned, null for the whole config. */
  readonly entry: string | null;
  /** The field concerned (`auth`, `username`, `password`, `credHelpers`, `credsStore`...), null for the whole entry or config. */
  readonly field: string | null;
  /** Which entry, why, and how to fix it. Never quotes a secret. */
  readonly message: string;
  /** Character offset into the parsed text of the offending JSON token (a string's opening quote), when known. */
  readonly offset: number | null;
  /** Length of that token, when known. */
  readonly length?: number | null;
  /** 'error' when pulls fail because of it (source dropped, or credentials sent that cannot work); otherwise 'warning'. */
  readonly severity?: 'error' | 'warning';
}

export type AuthConfigParseResult =
  | { readonly ok: true; readonly config: ParsedAuthConfig; readonly warnings: readonly AuthConfigProblem[] }
  | {
      readonly ok: false;
      readonly problems: readonly AuthConfigProblem[];
      /** A helper name with a path separator: the runner aborts the whole lookup (the image pull fails), not just this source. */
      readonly abortsResolution: boolean;
    };
