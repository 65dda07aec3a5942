import { RefundkitError } from '@refundkit/runtime';

/**
 * The CLI's config file cannot be used: too large, not a regular file, not JSON, or a value that
 * cannot be resolved. `path` names the setting (`providers.tipay.appKey`), or is empty for the
 * file as a whole; the message never carries a value, which may be a secret. Nothing was sent.
 *
 * @example
 * new ConfigFileError('providers.tipay.appKey', 'environment variable TIPAY_APP_KEY is not set')
 * // message: "providers.tipay.appKey: environment variable TIPAY_APP_KEY is not set"
 */
export class ConfigFileError extends RefundkitError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super('config_invalid', path === '' ? detail : `${path}: ${detail}`);
  }
}
