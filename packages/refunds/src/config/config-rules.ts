// The shape of a provider's settings, as data: what `createRefunds` checks every block against
// before anything is loaded or sent (issue 14). Each provider's rules live beside its entry in
// `ADAPTERS` (providers/index.ts); `ConfigRules<Config>` makes the compiler insist that the rules
// name every setting the provider's config interface has, and no other.

/**
 * What one setting must be:
 * - `string`: a non-empty string;
 * - `url`: an absolute http(s) URL;
 * - `secret`: a non-empty string, or a `Secret` whose `reveal()` is one (an unset environment
 *   variable wrapped in `Secret` is refused here, not signed with);
 * - `privateKey`: a PEM string (or a `Secret` of one), or a `KeyObject`;
 * - `publicKey`: a PEM string, or a `KeyObject`;
 * - `file`: the path of a file this process can read;
 * - `function`: a function (a hook);
 * - `enum`: one of `values`;
 * - `secrets`: a non-empty list of `secret`s (previous keys of a key roll), each checked at its
 *   index (`providers.tipay.previousAppKeys[1]`);
 * - `publicKeys`: a non-empty list of `{ certificateId?, key | keyFile }`, each key a
 *   `publicKey` or a `file` (easypay `easypayPublicKeys`).
 */
export type SettingKind = 'string' | 'url' | 'secret' | 'privateKey' | 'publicKey' | 'file' | 'function' | 'enum' | 'secrets' | 'publicKeys';

export interface SettingRule {
  readonly kind: SettingKind;
  /** Required settings must be present (and not `undefined`). */
  readonly required?: boolean;
  /** For `enum`: the values the provider takes. */
  readonly values?: readonly string[];
}

/** A provider's settings, each with its rule; `oneOf` lists groups of which exactly one must be given. */
export interface ConfigRules<Config> {
  readonly settings: { readonly [K in keyof Config]-?: SettingRule };
  readonly oneOf?: readonly (readonly (keyof Config & string)[])[];
}

/** One problem with the configuration: where (`providers.tipay.merchantNo`) and what (`required`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}
