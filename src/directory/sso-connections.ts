/**
 * An org's SSO connections to its IdPs (docs/sso.md): SAML 2.0 or OpenID Connect, with an IdP
 * preset's attribute names, whether sign-in may create users (JIT) and how a signed-in identity
 * is matched to a directory user. Secrets (the OIDC client secret) are sealed with the
 * deployment's SecretBox and never shown again. Also the org's email domains, which route
 * sign-ins to it (home-realm discovery), with an optional DNS TXT verification.
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import { resolveTxt } from 'node:dns/promises';
import type { Kysely } from 'kysely';
import { checkDestination, ForbiddenAddressError } from '../events/address-policy.ts';
import { insertAudit } from '../store/audit.ts';
import { getOrg } from '../store/orgs.ts';
import type { DB } from '../store/schema.ts';
import * as store from '../store/sso.ts';
import { checkAppUri } from './apps.ts';
import { auditEvent } from './audit.ts';
import type { Actor, DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { fetchIdpMetadata, parseIdpMetadata } from './saml-metadata.ts';
import type { SecretKeys } from './secret-keys.ts';
import { normalizeDomain } from './sign-ins.ts';
import { type AttributeNames, presetOf, SSO_PRESET_KEYS } from './sso-presets.ts';

export const SSO_PROTOCOLS = ['saml', 'oidc'] as const;
export type SsoProtocol = (typeof SSO_PROTOCOLS)[number];
/**
 * How a signed-in identity finds its directory user: `email` (the IdP's email attribute against
 * the user's emails), `userName` (the IdP's userName attribute against userName) or `nameId`
 * (the SAML NameID or OIDC `sub` against externalId).
 */
export const SSO_MATCH_KEYS = ['email', 'userName', 'nameId'] as const;
export type SsoMatchKey = (typeof SSO_MATCH_KEYS)[number];
export const ATTRIBUTE_KEYS = ['email', 'givenName', 'familyName', 'displayName', 'userName'] as const;

export const MAX_CONNECTIONS_PER_ORG = 20;
export const MAX_DOMAINS_PER_ORG = 100;
export const MAX_URL_LENGTH = 2000;
export const MAX_CERTIFICATE_LENGTH = 16 * 1024;
const MAX_NAME = 200;
const MAX_SCOPES = 20;

export interface OidcSettings {
  issuer: string;
  clientId: string;
  scopes: string[];
}

export interface SamlSettings {
  idpEntityId: string;
  idpSsoUrl: string;
  /** PEM or base64 DER; two may be live during a rotation. */
  idpCertificates: string[];
  allowIdpInitiated: boolean;
  /**
   * Where an IdP-initiated sign-in sends the browser: the host app's URL that starts a sign-in
   * for this org (exact; https, or http on loopback). Required when allowIdpInitiated.
   */
  idpInitiatedUrl: string | null;
  clockSkewSeconds: number;
  /**
   * The SP's certificate (base64 DER) the IdP encrypts assertions to, published in the SP
   * metadata; its private key is sealed (`spPrivateKey` on input, never shown). Null: none.
   */
  spCertificate: string | null;
}

export interface SsoConnection {
  id: string;
  orgId: string;
  protocol: SsoProtocol;
  name: string;
  preset: string;
  enabled: boolean;
  /** Sign-in creates a user the directory does not have (source `sso`); off: the org requires SCIM. */
  jit: boolean;
  matchBy: SsoMatchKey;
  /** The preset's names with the connection's own overrides. */
  attributes: AttributeNames;
  oidc: (OidcSettings & { clientSecretSet: boolean }) | null;
  saml: (SamlSettings & { spPrivateKeySet: boolean }) | null;
  createdAt: string;
  updatedAt: string;
}

export interface SsoConnectionInput {
  protocol?: SsoProtocol | undefined;
  name?: string | undefined;
  preset?: string | undefined;
  enabled?: boolean | undefined;
  jit?: boolean | undefined;
  matchBy?: SsoMatchKey | undefined;
  attributes?: Partial<AttributeNames> | undefined;
  oidc?:
    | {
        issuer?: string | undefined;
        clientId?: string | undefined;
        clientSecret?: string | undefined;
        scopes?: string[] | undefined;
      }
    | undefined;
  saml?:
    | (Partial<SamlSettings> & {
        /** The IdP's metadata XML (at most 1 MiB), or a URL to fetch it from once. */
        metadataXml?: string | undefined;
        metadataUrl?: string | undefined;
        /** PEM private key matching spCertificate, for encrypted assertions (write-only, sealed). */
        spPrivateKey?: string | undefined;
      })
    | undefined;
}

/** What src/sso/ needs to run a connection: its settings and opened secrets. */
export interface SsoRuntimeConnection extends SsoConnection {
  clientSecret: string | null;
  spPrivateKey: string | null;
}

interface Secrets {
  clientSecret?: string;
  spPrivateKey?: string;
}

interface StoredSettings {
  jit: boolean;
  matchBy: SsoMatchKey;
  attributes: Partial<AttributeNames>;
  oidc?: OidcSettings;
  saml?: SamlSettings;
}

export interface SsoDomain {
  domain: string;
  orgId: string;
  connectionId: string | null;
  /** Publish `scimitar-verification=<token>` as a TXT record of `_scimitar.<domain>` to verify. */
  verificationRecord: { name: string; value: string };
  verifiedAt: string | null;
  createdAt: string;
}

function checkName(name: string): string {
  const clean = name.trim();
  if (!clean) throw new DirectoryError('A connection name must not be empty');
  if (clean.length > MAX_NAME)
    throw new DirectoryError(`A connection name must be at most ${MAX_NAME} characters`);
  return clean;
}

function checkText(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new DirectoryError(`${what} is required`);
  if (value.length > max) throw new DirectoryError(`${what} must be at most ${max} characters`);
  return value.trim();
}

/** A PEM certificate or its base64 body, kept as the base64 body (no headers, no whitespace). */
export function normalizeCertificate(value: string): string {
  if (value.length > MAX_CERTIFICATE_LENGTH) throw new DirectoryError('An IdP certificate is too large');
  const body = value
    .replace(/-----BEGIN CERTIFICATE-----/, '')
    .replace(/-----END CERTIFICATE-----/, '')
    .replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length < 100) {
    throw new DirectoryError('An IdP certificate must be a PEM or base64 X.509 certificate');
  }
  return body;
}

/** The names of what an input sets (`oidc.clientSecret`, `saml.idpCertificates`, …), never values. */
function changedNames(input: SsoConnectionInput): string[] {
  const names: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [sub, v] of Object.entries(value)) if (v !== undefined) names.push(`${key}.${sub}`);
    } else names.push(key);
  }
  return names.sort();
}

export class SsoConnectionService {
  constructor(
    private readonly deps: DirectoryDeps,
    private readonly keys: SecretKeys,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  private async requireOrg(orgId: string): Promise<void> {
    if (!(await getOrg(this.db, orgId))) throw DirectoryError.notFound(`No organization '${orgId}'`);
  }

  /** An https URL (http and non-public hosts only with SSO_ALLOW_PRIVATE), as the server fetches it. */
  private async checkUrl(value: string, what: string): Promise<string> {
    const text = checkText(value, what, MAX_URL_LENGTH);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new DirectoryError(`${what} '${text}' is not an absolute URL`);
    }
    if (url.username || url.password) throw new DirectoryError(`${what} may not carry credentials`);
    if (this.deps.ssoAllowPrivate) {
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new DirectoryError(`${what} must be http(s)`);
      return text;
    }
    if (url.protocol !== 'https:') throw new DirectoryError(`${what} must be https`);
    try {
      await checkDestination(url);
    } catch (error) {
      if (error instanceof ForbiddenAddressError) {
        throw new DirectoryError(
          `${what} resolves to a non-public address; set SSO_ALLOW_PRIVATE=true for IdPs on a private network`,
          'url_not_allowed',
        );
      }
      throw error;
    }
    return text;
  }

  private view(r: store.SsoConnectionRecord): SsoConnection {
    const s = JSON.parse(r.settings) as StoredSettings;
    const preset = presetOf(r.preset) ?? presetOf('generic');
    const protocol = r.protocol as SsoProtocol;
    const base = preset ? preset[protocol] : undefined;
    return {
      id: r.id,
      orgId: r.orgId,
      protocol,
      name: r.name,
      preset: r.preset,
      enabled: r.enabled,
      jit: s.jit,
      matchBy: s.matchBy,
      attributes: { ...(base as AttributeNames), ...s.attributes },
      oidc: s.oidc ? { ...s.oidc, clientSecretSet: r.secrets !== null } : null,
      saml: s.saml
        ? { ...s.saml, spCertificate: s.saml.spCertificate ?? null, spPrivateKeySet: r.secrets !== null }
        : null,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  private async settingsFrom(
    protocol: SsoProtocol,
    input: SsoConnectionInput,
    old: StoredSettings | undefined,
    enabled: boolean,
  ): Promise<StoredSettings> {
    const matchBy = input.matchBy ?? old?.matchBy ?? 'email';
    if (!SSO_MATCH_KEYS.includes(matchBy))
      throw new DirectoryError(`matchBy must be one of ${SSO_MATCH_KEYS.join(', ')}`);
    const attributes: Partial<AttributeNames> = { ...old?.attributes };
    for (const [k, v] of Object.entries(input.attributes ?? {})) {
      if (!(ATTRIBUTE_KEYS as readonly string[]).includes(k))
        throw new DirectoryError(`Unknown attribute '${k}'`);
      attributes[k as keyof AttributeNames] = checkText(v, `attributes.${k}`, 500);
    }
    const settings: StoredSettings = { jit: input.jit ?? old?.jit ?? false, matchBy, attributes };
    if (protocol === 'oidc') {
      if (input.saml) throw new DirectoryError('An OIDC connection takes `oidc` settings, not `saml`');
      const o = input.oidc ?? {};
      const scopes = o.scopes ?? old?.oidc?.scopes ?? ['openid', 'email', 'profile'];
      if (!Array.isArray(scopes) || scopes.length > MAX_SCOPES || !scopes.includes('openid')) {
        throw new DirectoryError(`scopes must include openid (at most ${MAX_SCOPES})`);
      }
      for (const s of scopes)
        if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(s)) throw new DirectoryError(`Bad scope '${s}'`);
      settings.oidc = {
        issuer:
          o.issuer !== undefined
            ? await this.checkUrl(o.issuer, 'oidc.issuer')
            : checkText(old?.oidc?.issuer, 'oidc.issuer', MAX_URL_LENGTH),
        clientId: checkText(o.clientId ?? old?.oidc?.clientId, 'oidc.clientId', 500),
        scopes: [...new Set(scopes)],
      };
    } else {
      if (input.oidc) throw new DirectoryError('A SAML connection takes `saml` settings, not `oidc`');
      let s: Partial<SamlSettings> & { metadataXml?: string; metadataUrl?: string } = input.saml ?? {};
      // Imported metadata fills entity id, sign-on URL and certificates; fields given beside it win.
      if (s.metadataXml !== undefined || s.metadataUrl !== undefined) {
        if (s.metadataXml !== undefined && s.metadataUrl !== undefined)
          throw new DirectoryError('Give saml.metadataXml or saml.metadataUrl, not both');
        const xml =
          s.metadataXml ??
          (await fetchIdpMetadata(
            await this.checkUrl(s.metadataUrl as string, 'saml.metadataUrl'),
            this.deps.ssoAllowPrivate === true,
          ));
        s = { ...parseIdpMetadata(xml), ...s };
      }
      const certs = s.idpCertificates ?? old?.saml?.idpCertificates ?? [];
      const entityId = s.idpEntityId ?? old?.saml?.idpEntityId ?? '';
      const ssoUrl = s.idpSsoUrl ?? old?.saml?.idpSsoUrl ?? '';
      // A disabled SAML connection may wait for its IdP's settings (a draft): the IdP needs the
      // SP's entity id and ACS URL, which name the connection, before it gives its metadata.
      const draft = !enabled && certs.length === 0 && entityId === '' && ssoUrl === '';
      if (!draft && (!Array.isArray(certs) || certs.length < 1 || certs.length > 2)) {
        throw new DirectoryError('saml.idpCertificates takes one or two certificates (two while rotating)');
      }
      const skew = s.clockSkewSeconds ?? old?.saml?.clockSkewSeconds ?? 60;
      if (!Number.isInteger(skew) || skew < 0 || skew > 600)
        throw new DirectoryError('saml.clockSkewSeconds must be 0 to 600');
      const saml: SamlSettings = {
        idpEntityId: draft ? '' : checkText(entityId, 'saml.idpEntityId', MAX_URL_LENGTH),
        idpSsoUrl: draft
          ? ''
          : s.idpSsoUrl !== undefined
            ? await this.checkUrl(s.idpSsoUrl, 'saml.idpSsoUrl')
            : checkText(old?.saml?.idpSsoUrl, 'saml.idpSsoUrl', MAX_URL_LENGTH),
        idpCertificates: [...new Set(certs.map(normalizeCertificate))],
        allowIdpInitiated: s.allowIdpInitiated ?? old?.saml?.allowIdpInitiated ?? false,
        idpInitiatedUrl:
          s.idpInitiatedUrl === undefined
            ? (old?.saml?.idpInitiatedUrl ?? null)
            : s.idpInitiatedUrl === null
              ? null
              : checkAppUri(s.idpInitiatedUrl, 'saml.idpInitiatedUrl'),
        clockSkewSeconds: skew,
        spCertificate:
          s.spCertificate === undefined
            ? (old?.saml?.spCertificate ?? null)
            : s.spCertificate === null
              ? null
              : normalizeCertificate(s.spCertificate),
      };
      if (saml.allowIdpInitiated && !saml.idpInitiatedUrl) {
        throw new DirectoryError(
          'saml.allowIdpInitiated needs saml.idpInitiatedUrl: where the app starts a sign-in',
        );
      }
      settings.saml = saml;
    }
    return settings;
  }

  private async openSecrets(sealed: string | null): Promise<Secrets> {
    return sealed ? (JSON.parse((await this.keys.secretBox()).open(sealed)) as Secrets) : {};
  }

  /** The stored secrets with what the input gives replacing them, sealed; null when there are none. */
  private async sealSecrets(input: SsoConnectionInput, old: string | null): Promise<string | null> {
    const clientSecret = input.oidc?.clientSecret;
    const spPrivateKey = input.saml?.spPrivateKey;
    if (clientSecret === undefined && spPrivateKey === undefined) return old;
    const secrets = await this.openSecrets(old);
    if (clientSecret !== undefined) secrets.clientSecret = checkText(clientSecret, 'oidc.clientSecret', 2000);
    if (spPrivateKey !== undefined) {
      const pem = checkText(spPrivateKey, 'saml.spPrivateKey', 16 * 1024);
      try {
        createPrivateKey(pem);
      } catch {
        throw new DirectoryError('saml.spPrivateKey is not a PEM private key');
      }
      secrets.spPrivateKey = pem;
    }
    return (await this.keys.secretBox()).seal(JSON.stringify(secrets));
  }

  /** The audit entry of a change, in the change's transaction (docs/api.md "Audit trail"). */
  private audit(
    tx: Kysely<DB>,
    actor: Actor,
    action: string,
    resourceType: 'SsoConnection' | 'SsoDomain',
    resourceId: string,
    attributes: string[] = [],
  ) {
    const at = this.deps.now().toISOString();
    return insertAudit(tx, auditEvent(actor, { at, action, resourceType, resourceId, attributes }));
  }

  async create(actor: Actor, input: SsoConnectionInput): Promise<SsoConnection> {
    const orgId = actor.orgId;
    await this.requireOrg(orgId);
    const protocol = input.protocol;
    if (!protocol || !SSO_PROTOCOLS.includes(protocol))
      throw new DirectoryError(`protocol must be one of ${SSO_PROTOCOLS.join(', ')}`);
    const presetKey = input.preset ?? 'generic';
    const preset = presetOf(presetKey);
    if (!preset)
      throw new DirectoryError(`Unknown preset '${presetKey}': use one of ${SSO_PRESET_KEYS.join(', ')}`);
    if (!preset.protocols.includes(protocol))
      throw new DirectoryError(`${preset.label} connects over ${preset.protocols.join(' or ')} only`);
    if ((await store.listSsoConnections(this.db, orgId)).length >= MAX_CONNECTIONS_PER_ORG) {
      throw new DirectoryError(`An organization has at most ${MAX_CONNECTIONS_PER_ORG} SSO connections`);
    }
    const settings = await this.settingsFrom(protocol, input, undefined, input.enabled ?? true);
    const secrets = await this.sealSecrets(input, null);
    const now = this.deps.now().toISOString();
    const id = `sso_${randomBytes(12).toString('base64url')}`;
    await this.db.transaction().execute(async (tx) => {
      await this.audit(tx, actor, 'sso_connection.create', 'SsoConnection', id, changedNames(input));
      await store.insertSsoConnection(tx, {
        id,
        orgId,
        protocol,
        name: checkName(input.name ?? preset.label),
        preset: presetKey,
        enabled: input.enabled ?? true,
        settings: JSON.stringify(settings),
        secrets,
        createdAt: now,
        updatedAt: now,
      });
    });
    return this.get(orgId, id);
  }

  async list(orgId: string): Promise<SsoConnection[]> {
    await this.requireOrg(orgId);
    return (await store.listSsoConnections(this.db, orgId)).map((r) => this.view(r));
  }

  private async record(orgId: string, id: string): Promise<store.SsoConnectionRecord> {
    const r =
      typeof id === 'string' && id.length <= 100
        ? await store.getSsoConnection(this.db, orgId, id)
        : undefined;
    if (!r)
      throw DirectoryError.notFound(
        `No SSO connection '${String(id).slice(0, 100)}' in organization '${orgId}'`,
      );
    return r;
  }

  async get(orgId: string, id: string): Promise<SsoConnection> {
    return this.view(await this.record(orgId, id));
  }

  /** The connection with its secrets opened, for src/sso/ only. */
  async runtime(orgId: string, id: string): Promise<SsoRuntimeConnection> {
    const r = await this.record(orgId, id);
    const secrets = await this.openSecrets(r.secrets);
    return {
      ...this.view(r),
      clientSecret: secrets.clientSecret ?? null,
      spPrivateKey: secrets.spPrivateKey ?? null,
    };
  }

  /** Any org's connection by id (SP metadata is public), or undefined. */
  async runtimeById(id: string): Promise<SsoRuntimeConnection | undefined> {
    if (typeof id !== 'string' || id.length > 100) return undefined;
    const r = await store.findSsoConnectionById(this.db, id);
    return r ? this.runtime(r.orgId, r.id) : undefined;
  }

  /**
   * The SAML replay cache: records an assertion id of the connection until it expires (at least
   * an hour, so that clock skew cannot outlive it); false when it was seen before, on any instance.
   */
  async recordAssertion(
    orgId: string,
    connectionId: string,
    assertionId: string,
    notOnOrAfter: Date | undefined,
  ): Promise<boolean> {
    const now = this.deps.now();
    const hour = now.getTime() + 60 * 60 * 1000;
    const until = Math.max(
      hour,
      notOnOrAfter && !Number.isNaN(notOnOrAfter.getTime()) ? notOnOrAfter.getTime() : 0,
    );
    return store.recordAssertionId(this.db, {
      orgId,
      connectionId,
      assertionId: assertionId.slice(0, 256),
      expiresAt: new Date(Math.min(until, now.getTime() + 7 * 24 * 3600 * 1000)).toISOString(),
      now: now.toISOString(),
    });
  }

  /** Changes what the input names; the protocol and preset stay. A clientSecret given replaces the old one. */
  async update(actor: Actor, id: string, input: SsoConnectionInput): Promise<SsoConnection> {
    const orgId = actor.orgId;
    const r = await this.record(orgId, id);
    const protocol = r.protocol as SsoProtocol;
    if (input.protocol !== undefined && input.protocol !== protocol)
      throw new DirectoryError('The protocol of a connection cannot change');
    if (input.preset !== undefined && input.preset !== r.preset)
      throw new DirectoryError('The preset of a connection cannot change');
    const settings = await this.settingsFrom(
      protocol,
      input,
      JSON.parse(r.settings) as StoredSettings,
      input.enabled ?? r.enabled,
    );
    const secrets = await this.sealSecrets(input, r.secrets);
    await this.db.transaction().execute(async (tx) => {
      await this.audit(tx, actor, 'sso_connection.update', 'SsoConnection', id, changedNames(input));
      await store.updateSsoConnection(tx, {
        id,
        orgId,
        name: input.name !== undefined ? checkName(input.name) : r.name,
        enabled: input.enabled ?? r.enabled,
        settings: JSON.stringify(settings),
        secrets,
        updatedAt: this.deps.now().toISOString(),
      });
    });
    return this.get(orgId, id);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.record(actor.orgId, id);
    await this.db.transaction().execute(async (tx) => {
      await this.audit(tx, actor, 'sso_connection.delete', 'SsoConnection', id);
      await store.deleteSsoConnection(tx, actor.orgId, id);
    });
  }

  private domainView(d: store.SsoDomainRecord): SsoDomain {
    return {
      domain: d.domain,
      orgId: d.orgId,
      connectionId: d.connectionId,
      verificationRecord: { name: `_scimitar.${d.domain}`, value: `scimitar-verification=${d.verifyToken}` },
      verifiedAt: d.verifiedAt,
      createdAt: d.createdAt,
    };
  }

  /** Routes sign-ins of `domain` to the org (and to `connectionId`, when given). One org per domain. */
  async addDomain(
    actor: Actor,
    input: { domain: string; connectionId?: string | null | undefined },
  ): Promise<SsoDomain> {
    const orgId = actor.orgId;
    await this.requireOrg(orgId);
    const domain = normalizeDomain(String(input.domain ?? ''));
    const connectionId = input.connectionId ?? null;
    if (connectionId !== null) await this.record(orgId, connectionId);
    if ((await store.listSsoDomains(this.db, orgId)).length >= MAX_DOMAINS_PER_ORG) {
      throw new DirectoryError(`An organization has at most ${MAX_DOMAINS_PER_ORG} domains`);
    }
    const record: store.SsoDomainRecord = {
      domain,
      orgId,
      connectionId,
      verifyToken: randomBytes(16).toString('hex'),
      verifiedAt: null,
      createdAt: this.deps.now().toISOString(),
    };
    await this.db.transaction().execute(async (tx) => {
      if (!(await store.insertSsoDomain(tx, record))) {
        throw DirectoryError.conflict(
          `The domain '${domain}' is already registered (by this or another organization)`,
        );
      }
      await this.audit(
        tx,
        actor,
        'sso_domain.add',
        'SsoDomain',
        domain,
        connectionId ? ['connectionId'] : [],
      );
    });
    return this.domainView(record);
  }

  async listDomains(orgId: string): Promise<SsoDomain[]> {
    await this.requireOrg(orgId);
    return (await store.listSsoDomains(this.db, orgId)).map((d) => this.domainView(d));
  }

  async removeDomain(actor: Actor, domain: string): Promise<void> {
    const name = normalizeDomain(domain);
    await this.db.transaction().execute(async (tx) => {
      if (!(await store.deleteSsoDomain(tx, actor.orgId, name))) {
        throw DirectoryError.notFound(`Organization '${actor.orgId}' has no domain '${domain}'`);
      }
      await this.audit(tx, actor, 'sso_domain.remove', 'SsoDomain', name);
    });
  }

  /**
   * Optional proof of ownership: looks up TXT records of `_scimitar.<domain>` for the
   * domain's verification value; marks the domain verified when found.
   */
  async verifyDomain(
    actor: Actor,
    domain: string,
    lookup: (name: string) => Promise<string[][]> = resolveTxt,
  ): Promise<SsoDomain> {
    const orgId = actor.orgId;
    const name = normalizeDomain(domain);
    const d = (await store.listSsoDomains(this.db, orgId)).find((x) => x.domain === name);
    if (!d) throw DirectoryError.notFound(`Organization '${orgId}' has no domain '${domain}'`);
    const view = this.domainView(d);
    let records: string[][] = [];
    try {
      records = await lookup(view.verificationRecord.name);
    } catch {
      records = [];
    }
    if (!records.some((chunks) => chunks.join('') === view.verificationRecord.value)) {
      throw new DirectoryError(
        `No TXT record ${view.verificationRecord.name} = "${view.verificationRecord.value}" was found`,
      );
    }
    const at = this.deps.now().toISOString();
    await this.db.transaction().execute(async (tx) => {
      await store.setSsoDomainVerified(tx, orgId, name, at);
      await this.audit(tx, actor, 'sso_domain.verify', 'SsoDomain', name, ['verifiedAt']);
    });
    return { ...view, verifiedAt: at };
  }
}
