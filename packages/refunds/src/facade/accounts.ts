// Merchant accounts: a provider block is one account's settings, or several named accounts
// (`{ accounts: { shopA: {...}, shopB: {...} }, default?: 'shopA' }`) for a platform that refunds
// for many merchants through one provider. Every call finds its account here, by name or by the
// merchant identity a refund carries; each account has its own client (its own keys).
//
// The ledger keys refunds by the merchant identity (`ProviderEntry.accountOf`: tipay
// `merchantNo`, easypay `mchtCode`, ...), never by the account's name: renaming an account in
// the configuration loses nothing, and two accounts of one provider may never share a merchant.
import { RefundkitError, ValidationError } from '@refundkit/runtime';
import { checkSettings } from '../config/check-settings.js';
import type { ConfigIssue, ConfigRules } from '../config/config-rules.js';
import { ConfigError, NotFoundError, UnknownAccountError } from '../errors.js';
import type { ProviderAdapter, SharedClientOptions } from '../providers/adapter.js';
import { ADAPTERS, type ConfiguredProvider, type ProviderConfigs, type ProviderEntry } from '../providers/index.js';

/** One account's settings: the provider's configuration, with neither `accounts` nor `default`. */
export type SingleAccount<Config> = Config & { readonly accounts?: undefined; readonly default?: undefined };

/**
 * Several merchant accounts of one provider, by name. `default` names the account a call without
 * `account` uses; it may be left out when there is one account. Each account is a whole
 * configuration of its own (no setting sits beside `accounts`).
 *
 * @example
 * tipay: {
 *   accounts: {
 *     shopA: { baseUrl: 'https://api.tipay.tianhecloud.com', appId: 'tichain000000', appKey: new Secret(process.env.SHOP_A_KEY!), merchantNo: '10012426723' },
 *     shopB: { baseUrl: 'https://api.tipay.tianhecloud.com', appId: 'tichain000001', appKey: new Secret(process.env.SHOP_B_KEY!), merchantNo: '10012426724' },
 *   },
 *   default: 'shopA',
 * }
 */
export type AccountsBlock<Config> = {
  /** Each account by its name (letters, digits, `.`, `_`, `-`; at most 64): the `account` calls take. */
  readonly accounts: { readonly [name: string]: Config };
  /** The account a call without `account` uses; optional with one account. */
  readonly default?: string | undefined;
} & { readonly [K in keyof Config]?: undefined };

/** A provider's block in `createRefunds({ providers })`: one account, or several by name. */
export type ProviderBlock<Config> = SingleAccount<Config> | AccountsBlock<Config>;

/** The name of the one account of a block that has no `accounts` (`account: 'default'` finds it). */
export const DEFAULT_ACCOUNT = 'default';

/** What an account name may be: it is a path segment too (the notification routes `/notify/<provider>/<account>`). */
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** One configured account. */
export interface Account<K extends ConfiguredProvider = ConfiguredProvider> {
  readonly provider: K;
  /** Its name in the configuration (`default` for a block without `accounts`). */
  readonly name: string;
  readonly config: ProviderConfigs[K];
  /** The merchant identity: the ledger's key (see `ProviderEntry.accountOf`). */
  readonly merchant: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Whether a block is the accounts form: it has `accounts` (a single block never does). */
const isAccountsForm = (block: unknown): boolean => isObject(block) && Object.hasOwn(block, 'accounts');

/** The merchant of a configuration whose settings passed their rules. */
const merchantOf = (provider: ConfiguredProvider, config: unknown): string => (ADAPTERS[provider].accountOf as (config: unknown) => string)(config);

/**
 * Every problem of one provider's block, each with its path: its settings against the provider's
 * rules, and for the accounts form, each account's (`providers.tipay.accounts.shopA.merchantNo`),
 * the names, `default`, and two accounts sharing one merchant.
 */
export function blockIssues(provider: ConfiguredProvider, block: unknown): ConfigIssue[] {
  const at = `providers.${provider}`;
  const rules = ADAPTERS[provider].config as ConfigRules<unknown>;
  if (!isAccountsForm(block)) return checkSettings(rules, block, at);
  const { accounts, default: chosen, ...beside } = block as Record<string, unknown>;
  const issues: ConfigIssue[] = Object.keys(beside).map((key) => ({ path: `${at}.${key}`, message: 'a setting beside "accounts": give it in each account' }));
  if (!isObject(accounts) || Object.keys(accounts).length === 0) {
    issues.push({ path: `${at}.accounts`, message: 'must be an object of named accounts ({ "shopA": { ...settings } })' });
    return issues;
  }
  const merchants = new Map<string, string>();
  for (const [name, config] of Object.entries(accounts)) {
    const path = `${at}.accounts.${name}`;
    if (!ACCOUNT_NAME.test(name)) issues.push({ path, message: 'an account name is letters, digits, ".", "_" and "-" (at most 64), starting with a letter or digit' });
    const found = checkSettings(rules, config, path);
    issues.push(...found);
    if (found.length > 0) continue;
    const merchant = merchantOf(provider, config);
    const other = merchants.get(merchant);
    // One merchant, one account: the ledger keys refunds by merchant, so two would see each other's refunds.
    if (other !== undefined) issues.push({ path, message: `has the same merchant (${merchant}) as account ${other}: one merchant is one account` });
    else merchants.set(merchant, name);
  }
  // A key's `account` is a name or a refund's merchant: one that is both, for two accounts, could mean either.
  for (const [merchant, owner] of merchants) {
    if (Object.hasOwn(accounts, merchant) && merchant !== owner) {
      issues.push({ path: `${at}.accounts.${merchant}`, message: `is the merchant of account ${owner}: a name must not be another account's merchant` });
    }
  }
  if (chosen !== undefined && (typeof chosen !== 'string' || !Object.hasOwn(accounts, chosen))) {
    issues.push({ path: `${at}.default`, message: `must name one of the accounts (${Object.keys(accounts).join(', ')})` });
  }
  return issues;
}

/** A provider's accounts, by name, with the default one. */
interface ProviderAccounts<K extends ConfiguredProvider = ConfiguredProvider> {
  readonly byName: ReadonlyMap<string, Account<K>>;
  readonly byMerchant: ReadonlyMap<string, Account<K>>;
  readonly defaultAccount: Account<K> | undefined;
}

/** An account opened for a call: its provider's entry and adapter, and the account's own client. */
export interface OpenedAccount<K extends ConfiguredProvider = ConfiguredProvider> extends Account<K> {
  readonly entry: ProviderEntry<ProviderConfigs[K], unknown>;
  readonly adapter: ProviderAdapter<ProviderConfigs[K], unknown, unknown>;
  readonly client: unknown;
}

/**
 * The configured accounts of every provider (checked by `configIssues` first), and one client per
 * account, created at its first use.
 */
export class Accounts {
  readonly #providers = new Map<ConfiguredProvider, ProviderAccounts>();
  readonly #clients = new Map<Account, unknown>();

  constructor(
    providers: Readonly<Record<string, unknown>>,
    private readonly shared: SharedClientOptions,
  ) {
    for (const [key, block] of Object.entries(providers)) {
      const provider = key as ConfiguredProvider;
      const named: [string, unknown][] = isAccountsForm(block) ? Object.entries((block as { accounts: Record<string, unknown> }).accounts) : [[DEFAULT_ACCOUNT, block]];
      const accounts = named.map(([name, config]): Account => ({ provider, name, config: config as ProviderConfigs[ConfiguredProvider], merchant: merchantOf(provider, config) }));
      const byName = new Map(accounts.map((a) => [a.name, a]));
      const chosen = isAccountsForm(block) ? (block as { default?: string }).default : DEFAULT_ACCOUNT;
      this.#providers.set(provider, {
        byName,
        byMerchant: new Map(accounts.map((a) => [a.merchant, a])),
        defaultAccount: chosen !== undefined ? byName.get(chosen) : accounts.length === 1 ? accounts[0] : undefined,
      });
    }
  }

  #of(provider: ConfiguredProvider): ProviderAccounts {
    const accounts = Object.hasOwn(ADAPTERS, provider) ? this.#providers.get(provider) : undefined;
    if (!accounts) throw new NotFoundError(`provider ${String(provider)} is not configured`);
    return accounts;
  }

  /** Every configured account, of every provider (the reconciler and the feed read these merchants' refunds). */
  all(): Account[] {
    return [...this.#providers.values()].flatMap((p) => [...p.byName.values()]);
  }

  /** The account a notification names by its merchant; undefined when no account holds it. */
  withMerchant(provider: ConfiguredProvider, merchant: string): Account | undefined {
    return this.#of(provider).byMerchant.get(merchant);
  }

  /** The account a call without `account` uses; undefined when there are several and no default. */
  defaultOf(provider: ConfiguredProvider): Account | undefined {
    return this.#of(provider).defaultAccount;
  }

  /**
   * The account `account` names: an account's name, or the merchant identity a refund carries
   * (`refund.account`), so `get(refund)` finds the refund's own account. Without `account`, the
   * default. `UnknownAccountError` when no account has that name or merchant; a `ValidationError`
   * (`account` required) when there are several accounts and no default.
   */
  find(provider: ConfiguredProvider, account: unknown, operation: string): Account {
    const accounts = this.#of(provider);
    const names = [...accounts.byName.keys()];
    if (account === undefined) {
      if (accounts.defaultAccount) return accounts.defaultAccount;
      throw new ValidationError(operation, [{ path: 'account', rule: 'required', message: `account is required: ${provider} has ${names.length} accounts (${names.join(', ')}) and no default` }]);
    }
    if (typeof account !== 'string') throw new ValidationError(operation, [{ path: 'account', rule: 'type string', message: `account must be the name of one of the ${provider} accounts (${names.join(', ')})` }]);
    const found = accounts.byName.get(account) ?? accounts.byMerchant.get(account);
    if (!found) throw new UnknownAccountError(provider, account, names);
    return found;
  }

  /** The account, with its provider's adapter (loaded at the provider's first use) and its own client. */
  async open<K extends ConfiguredProvider>(provider: K, account: unknown, operation: string): Promise<OpenedAccount<K>> {
    const found = this.find(provider, account, operation) as Account<K>;
    const entry = ADAPTERS[provider] as unknown as ProviderEntry<ProviderConfigs[K], unknown>;
    // The provider's generated package is imported here, at its first use.
    const adapter = (await entry.load()) as ProviderAdapter<ProviderConfigs[K], unknown, unknown>;
    let client = this.#clients.get(found);
    if (client === undefined) {
      try {
        client = adapter.createClient(found.config, this.shared);
      } catch (error) {
        // Bad keys and settings are the caller's to fix; the signing errors never quote key material.
        if (error instanceof RefundkitError) throw error;
        throw new ConfigError(provider, error instanceof Error ? error.message : String(error), error);
      }
      this.#clients.set(found, client);
    }
    return { ...found, entry, adapter, client };
  }
}
