/**
 * SAML sign-in with an org's IdP (src/sso/saml.ts, docs/sso.md), on each database: SP-initiated
 * through /sso/begin and the ACS, with assertions a test IdP signs for real (test/helpers/
 * saml-idp.ts). Each attack is refused and completes nothing: unsigned, signed by another key,
 * a signature over the wrong element, XML signature wrapping (XSW1–XSW8 and a NameID comment),
 * wrong audience or recipient, expired or not yet valid, InResponseTo mismatch, a replayed
 * assertion (the cache is in the database: a second instance sees it). Two IdP certificates
 * are live during a rotation; metadata per connection, IdP metadata import; encrypted
 * assertions; IdP-initiated sign-in only when switched on; the form's size is limited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { cliActor } from '../../src/directory/deps.ts';
import { Directory } from '../../src/directory/directory.ts';
import { buildApp } from '../../src/http/app.ts';
import { startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import {
  ASSERTION,
  ATTACKER,
  assertionXml,
  b64,
  encryptAssertion,
  IDP_A,
  IDP_B,
  IDP_ENTITY_ID,
  IDP_SSO_URL,
  idpMetadata,
  naiveReading,
  newId,
  RESPONSE,
  requestIdOf,
  responseXml,
  SP,
  sign,
} from '../helpers/saml-idp.ts';
import { beginSso } from '../helpers/sso-begin.ts';

const PUBLIC_URL = 'https://scim.test';

for (const dialect of dialects) {
  describe(`SAML sign-in with the org's IdP (${dialect})`, () => {
    let t: TestApp;
    let connectionId: string;
    let sp: string;
    let acs: string;

    before(async () => {
      t = await startTestApp(dialect, { PUBLIC_URL });
      const c = await t.directory.sso.create(cliActor(t.orgId), {
        protocol: 'saml',
        preset: 'okta',
        saml: {
          idpEntityId: IDP_ENTITY_ID,
          idpSsoUrl: IDP_SSO_URL,
          idpCertificates: [IDP_A.cert, IDP_B.cert],
        },
      });
      connectionId = c.id;
      sp = `${PUBLIC_URL}/sso/saml/${connectionId}`;
      acs = `${sp}/acs`;
      await t.directory.sso.addDomain(cliActor(t.orgId), { domain: 'acme.example' });
      for (const name of ['eve@acme.example', 'root@acme.example']) {
        await t.request('POST', 'Users', user(name, { emails: [{ value: name }] }));
      }
    });
    after(async () => t?.close());

    async function begin() {
      const begun = await beginSso(t, 'eve@acme.example');
      return { ...begun, requestId: requestIdOf(begun.location) };
    }
    const post = (app: TestApp['app'], xml: string, cookie: string) =>
      app.inject({
        method: 'POST',
        url: `/sso/saml/${connectionId}/acs`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        payload: `SAMLResponse=${encodeURIComponent(b64(xml))}&RelayState=x`,
      });
    const legit = (
      requestId: string | undefined,
      nameId = 'eve@acme.example',
      extra: Partial<Parameters<typeof assertionXml>[0]> = {},
    ) =>
      assertionXml({
        requestId,
        audience: sp,
        recipient: acs,
        nameId,
        attributes: { email: nameId, firstName: 'Eve' },
        ...extra,
      });
    const signedResponse = (assertion: string, requestId: string | undefined, signer = IDP_A) =>
      responseXml(sign(assertion, ASSERTION, signer), { requestId, recipient: acs });

    test('SP-initiated: signed assertion accepted, cookie SameSite=None; Secure; HttpOnly; metadata', async () => {
      const b = await begin();
      assert.ok(b.location.startsWith(`${IDP_SSO_URL}?SAMLRequest=`));
      assert.match(
        b.setCookie,
        /^scimitar_sso=sia_[^;]+; Path=\/sso; Max-Age=600; HttpOnly; SameSite=None; Secure$/,
      );
      const r = await post(t.app, signedResponse(legit(b.requestId), b.requestId), b.cookie);
      assert.equal(r.statusCode, 303, r.body);
      const taken = await t.directory.signIns.take(b.attemptId);
      assert.equal(taken?.connectionId, connectionId);
      assert.equal(taken?.claims.givenName, 'Eve');
      const meta = await t.app.inject({ method: 'GET', url: `/sso/saml/${connectionId}/metadata` });
      assert.equal(meta.statusCode, 200);
      assert.match(meta.body, new RegExp(`entityID="${sp}"`));
      assert.match(meta.body, new RegExp(`Location="${acs}"`));
    });

    test('rotation: an assertion signed with the second live certificate is accepted; a whole signed Response too', async () => {
      let b = await begin();
      assert.equal(
        (await post(t.app, signedResponse(legit(b.requestId), b.requestId, IDP_B), b.cookie)).statusCode,
        303,
      );
      b = await begin();
      const whole = sign(
        responseXml(legit(b.requestId), { requestId: b.requestId, recipient: acs }),
        RESPONSE,
        IDP_A,
      );
      assert.equal((await post(t.app, whole, b.cookie)).statusCode, 303);
    });

    test('encrypted assertions: decrypted with the SP key (sealed), the signature inside still required', async () => {
      const updated = await t.directory.sso.update(cliActor(t.orgId), connectionId, {
        saml: { spCertificate: SP.cert, spPrivateKey: SP.key },
      });
      assert.equal(updated.saml?.spPrivateKeySet, true);
      const { rows } = await sql<
        Record<string, unknown>
      >`select * from sso_connections where id = ${connectionId}`.execute(t.directory.database.db);
      assert.ok(!JSON.stringify(rows).includes('PRIVATE KEY'), 'the SP key is sealed at rest');
      const meta = await t.app.inject({ method: 'GET', url: `/sso/saml/${connectionId}/metadata` });
      assert.match(meta.body, /<KeyDescriptor use="encryption">/);
      let b = await begin();
      const encrypted = await encryptAssertion(sign(legit(b.requestId), ASSERTION, IDP_A), SP.cert);
      let r = await post(t.app, responseXml(encrypted, { requestId: b.requestId, recipient: acs }), b.cookie);
      assert.equal(r.statusCode, 303, r.body);
      b = await begin();
      const unsigned = await encryptAssertion(legit(b.requestId, 'root@acme.example'), SP.cert);
      r = await post(t.app, responseXml(unsigned, { requestId: b.requestId, recipient: acs }), b.cookie);
      assert.equal(r.statusCode, 400, 'encrypted is not signed');
      b = await begin();
      const toOther = await encryptAssertion(sign(legit(b.requestId), ASSERTION, IDP_A), ATTACKER.cert);
      r = await post(t.app, responseXml(toOther, { requestId: b.requestId, recipient: acs }), b.cookie);
      assert.equal(r.statusCode, 400, 'encrypted to another key');
    });

    test('IdP-initiated, when switched on: the app’s sign-in then completes at once; replay and answers to requests refused', async () => {
      const unsolicited = () => signedResponse(legit(undefined), undefined);
      await assert.rejects(
        t.directory.sso.update(cliActor(t.orgId), connectionId, { saml: { allowIdpInitiated: true } }),
        /idpInitiatedUrl/,
      );
      await t.directory.sso.update(cliActor(t.orgId), connectionId, {
        saml: { allowIdpInitiated: true, idpInitiatedUrl: 'https://app.example.com/login?org=acme' },
      });
      const xml = unsolicited();
      const r = await post(t.app, xml, '');
      assert.equal(r.statusCode, 303, r.body);
      assert.equal(r.headers.location, 'https://app.example.com/login?org=acme');
      const setCookie = String(r.headers['set-cookie']);
      assert.match(
        setCookie,
        /^scimitar_sso_idp=v1\.[^;]+; Path=\/sso; Max-Age=120; HttpOnly; SameSite=Lax; Secure$/,
      );
      // The app starts a sign-in; /sso/begin completes it without another trip to the IdP.
      const { attemptId, redirectTo, browserSecret } = await t.directory.signIns.start({
        orgId: t.orgId,
        returnTo: '/resume',
      });
      const begun = await t.app.inject({
        method: 'GET',
        url: redirectTo,
        headers: { cookie: `scimitar_sso_bind=${browserSecret}; ${setCookie.split(';')[0]}` },
      });
      assert.equal(begun.statusCode, 303, begun.body);
      assert.equal(begun.headers.location, `/resume?attempt=${attemptId}`);
      assert.ok((await t.directory.signIns.take(attemptId))?.userId);
      // The same assertion again: a replay.
      const again = await post(t.app, xml, '');
      assert.equal(again.statusCode, 400);
      assert.match(again.body, /replay/);
      // An answer to an SP request, posted without that request's browser.
      const answer = await post(t.app, signedResponse(legit(newId()), newId()), '');
      assert.equal(answer.statusCode, 400);
      await t.directory.sso.update(cliActor(t.orgId), connectionId, { saml: { allowIdpInitiated: false } });
      assert.equal((await post(t.app, unsolicited(), '')).statusCode, 400, 'switched off again');
    });

    test('clock skew: an assertion expired 30 s ago passes with 60 s of skew, not with 0', async () => {
      const late = (rid: string) =>
        signedResponse(legit(rid, undefined, { notBefore: -600, notOnOrAfter: -30 }), rid);
      let b = await begin();
      assert.equal((await post(t.app, late(b.requestId), b.cookie)).statusCode, 303);
      await t.directory.sso.update(cliActor(t.orgId), connectionId, { saml: { clockSkewSeconds: 0 } });
      b = await begin();
      assert.equal((await post(t.app, late(b.requestId), b.cookie)).statusCode, 400);
      await t.directory.sso.update(cliActor(t.orgId), connectionId, { saml: { clockSkewSeconds: 60 } });
    });

    test('metadata import: malformed, DOCTYPE, no IdP descriptor: refused', async () => {
      for (const metadataXml of [
        '<md:EntityDescriptor',
        `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${idpMetadata([IDP_A.cert])}`,
        idpMetadata([IDP_A.cert]).replace(/IDPSSODescriptor/g, 'SPSSODescriptor'),
        idpMetadata([]),
      ]) {
        await assert.rejects(
          t.directory.sso.create(cliActor(t.orgId), { protocol: 'saml', saml: { metadataXml } }),
          (e: Error) => e.name === 'DirectoryError',
        );
      }
    });

    /** Each case: a response built for a fresh attempt, which must be refused and complete nothing. */
    const attacks: [string, (requestId: string) => string][] = [
      ['unsigned assertion', (rid) => responseXml(legit(rid), { requestId: rid, recipient: acs })],
      ['signed by a key the IdP does not have', (rid) => signedResponse(legit(rid), rid, ATTACKER)],
      [
        'wrong audience',
        (rid) => signedResponse(legit(rid, undefined, { audience: 'https://other-sp.example' }), rid),
      ],
      [
        'wrong recipient',
        (rid) => signedResponse(legit(rid, undefined, { recipient: 'https://evil.example/acs' }), rid),
      ],
      [
        'wrong issuer',
        (rid) => signedResponse(legit(rid, undefined, { issuer: 'https://evil.example' }), rid),
      ],
      [
        'expired beyond the clock skew',
        (rid) => signedResponse(legit(rid, undefined, { notBefore: -900, notOnOrAfter: -120 }), rid),
      ],
      [
        'not yet valid beyond the clock skew',
        (rid) => signedResponse(legit(rid, undefined, { notBefore: 120 }), rid),
      ],
      ['InResponseTo of another request', (rid) => signedResponse(legit(newId()), `${rid}x`)],
      [
        'signature over the wrong element (a signed Extensions, an unsigned assertion)',
        (rid) => {
          const ext = `<samlp:Extensions xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="${newId()}"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${IDP_ENTITY_ID}</saml:Issuer></samlp:Extensions>`;
          const signedExt = sign(ext, "//*[local-name(.)='Extensions']", IDP_A);
          return responseXml(signedExt + legit(rid, 'root@acme.example'), { requestId: rid, recipient: acs });
        },
      ],
      ...xswCases(),
      [
        'NameID with a comment: read whole (root@acme.example.evil), never as root@acme.example',
        (rid) => {
          const signed = sign(legit(rid, 'root@acme.example<!---->.evil'), ASSERTION, IDP_A);
          return responseXml(signed, { requestId: rid, recipient: acs });
        },
      ],
    ];

    /** XML signature wrapping: the signed assertion is eve's; the evil one (root) is what a naive SP reads. */
    function xswCases(): [string, (rid: string) => string][] {
      const parts = (rid: string) => {
        const signed = sign(legit(rid), ASSERTION, IDP_A);
        const signature = /<Signature[\s\S]*<\/Signature>/.exec(signed)?.[0] ?? '';
        const bare = signed.replace(signature, '');
        const evil = legit(rid, 'root@acme.example');
        const insertAfterIssuer = (xml: string, what: string) =>
          xml.replace('</saml:Issuer>', `</saml:Issuer>${what}`);
        const intoSignature = (sig: string, what: string) =>
          sig.replace('</Signature>', `<Object>${what}</Object></Signature>`);
        const response = (body: string) => responseXml(body, { requestId: rid, recipient: acs });
        return { signed, signature, bare, evil, insertAfterIssuer, intoSignature, response };
      };
      const signedResp = (rid: string) =>
        sign(responseXml(legit(rid), { requestId: rid, recipient: acs }), RESPONSE, IDP_A);
      return [
        [
          'XSW1: an evil Response holding the signed one inside its Signature',
          (rid) => {
            const orig = signedResp(rid);
            const signature = /<Signature[\s\S]*<\/Signature>/.exec(orig)?.[0] ?? '';
            const evilResponse = responseXml(legit(rid, 'root@acme.example'), {
              requestId: rid,
              recipient: acs,
            });
            return evilResponse.replace(
              '</saml:Issuer>',
              `</saml:Issuer>${signature.replace('</Signature>', `<Object>${orig.replace(signature, '')}</Object></Signature>`)}`,
            );
          },
        ],
        [
          'XSW2: an evil Response with the signed one before its Signature',
          (rid) => {
            const orig = signedResp(rid);
            const signature = /<Signature[\s\S]*<\/Signature>/.exec(orig)?.[0] ?? '';
            const evilResponse = responseXml(legit(rid, 'root@acme.example'), {
              requestId: rid,
              recipient: acs,
            });
            return evilResponse.replace(
              '</saml:Issuer>',
              `</saml:Issuer>${orig.replace(signature, '')}${signature}`,
            );
          },
        ],
        [
          'XSW3: an evil assertion before the signed one',
          (rid) => {
            const p = parts(rid);
            return p.response(p.evil + p.signed);
          },
        ],
        [
          'XSW4: an evil assertion wrapping the signed one',
          (rid) => {
            const p = parts(rid);
            return p.response(p.evil.replace('</saml:Assertion>', `${p.signed}</saml:Assertion>`));
          },
        ],
        [
          'XSW5: the signature copied into an evil assertion, the signed one stripped after it',
          (rid) => {
            const p = parts(rid);
            return p.response(p.insertAfterIssuer(p.evil, p.signature) + p.bare);
          },
        ],
        [
          'XSW6: an evil assertion whose signature holds the signed one',
          (rid) => {
            const p = parts(rid);
            const holding = p.signature.replace('</Signature>', `${p.bare}</Signature>`);
            return p.response(p.insertAfterIssuer(p.evil, holding));
          },
        ],
        [
          'XSW7: the signed assertion hidden in Extensions, an evil one beside it',
          (rid) => {
            const p = parts(rid);
            return p.response(`<samlp:Extensions>${p.signed}</samlp:Extensions>${p.evil}`);
          },
        ],
        [
          'XSW8: an evil assertion with the signature, its Object holding the stripped original',
          (rid) => {
            const p = parts(rid);
            return p.response(p.insertAfterIssuer(p.evil, p.intoSignature(p.signature, p.bare)));
          },
        ],
        [
          'duplicate IDs: an evil assertion with the signed one’s ID',
          (rid) => {
            const p = parts(rid);
            const id = /ID="([^"]+)"/.exec(p.signed)?.[1] ?? '';
            return p.response(p.evil.replace(/ID="[^"]+"/, `ID="${id}"`) + p.signed);
          },
        ],
      ];
    }

    for (const [name, build] of attacks) {
      test(`refused: ${name}`, async () => {
        const b = await begin();
        const xml = build(b.requestId);
        if (name.startsWith('XSW')) {
          // The wrapping is well made: a naive SP, one valid signature anywhere and the first
          // assertion read, would sign root in. Only the SP's wrapping checks refuse it.
          assert.deepEqual(naiveReading(xml, IDP_A), { signed: true, nameId: 'root@acme.example' });
        }
        const r = await post(t.app, xml, b.cookie);
        // 403 only for the NameID with a comment: read whole, it names nobody provisioned.
        assert.ok([400, 403].includes(r.statusCode), `${name}: ${r.statusCode} ${r.body.slice(0, 300)}`);
        if (r.statusCode === 403) assert.match(r.body, /Not provisioned/);
        assert.equal(await t.directory.signIns.take(b.attemptId), null, 'nothing completed');
        assert.ok(!String(r.headers.location ?? '').includes('attempt='));
      });
    }

    test('replay: an assertion used once is refused again, on another instance too', async () => {
      // bob is not provisioned: the sign-in is refused after the assertion was recorded.
      const b = await begin();
      const xml = signedResponse(legit(b.requestId, 'bob@acme.example'), b.requestId);
      const first = await post(t.app, xml, b.cookie);
      assert.equal(first.statusCode, 403, first.body);
      // Provisioned now: the captured assertion must still not sign anyone in, on any instance.
      await t.request('POST', 'Users', user('bob@acme.example', { emails: [{ value: 'bob@acme.example' }] }));
      const second = new Directory({ ...t.directory.deps });
      const other = await buildApp(t.config, { directory: second, logger: false });
      try {
        const r = await post(other, xml, b.cookie);
        assert.equal(r.statusCode, 400, r.body);
        assert.match(r.body, /replay/);
      } finally {
        await other.close();
      }
      assert.equal(await t.directory.signIns.take(b.attemptId), null);
    });

    test('JIT by NameID: an sso member, which the IdP creating that externalId links', async () => {
      await t.directory.sso.update(cliActor(t.orgId), connectionId, { jit: true, matchBy: 'nameId' });
      try {
        const b = await begin();
        const assertion = legit(b.requestId, '00u-saml-zed', {
          attributes: { email: 'zed@acme.example', firstName: 'Zed' },
        });
        const r = await post(t.app, signedResponse(assertion, b.requestId), b.cookie);
        assert.equal(r.statusCode, 303, r.body);
        const id = (await t.directory.signIns.take(b.attemptId))?.userId as string;
        const row = () =>
          t.directory.database.db
            .selectFrom('resources')
            .select(['source', 'linked_from', 'external_id', 'user_name'])
            .where('id', '=', id)
            .executeTakeFirstOrThrow();
        assert.deepEqual(await row(), {
          source: 'sso',
          linked_from: null,
          external_id: '00u-saml-zed',
          user_name: 'zed@acme.example',
        });
        const created = await t.request('POST', 'Users', user('zed', { externalId: '00u-saml-zed' }));
        assert.equal(created.statusCode, 201, created.body);
        assert.equal(created.json().id, id);
        assert.deepEqual(await row(), {
          source: 'scim',
          linked_from: 'sso',
          external_id: '00u-saml-zed',
          user_name: 'zed',
        });
      } finally {
        await t.directory.sso.update(cliActor(t.orgId), connectionId, { jit: false, matchBy: 'email' });
      }
    });

    test('no attempt in this browser (IdP-initiated, expired), no SAMLResponse, oversized form: refused', async () => {
      const b = await begin();
      const xml = signedResponse(legit(undefined), undefined);
      assert.equal((await post(t.app, xml, '')).statusCode, 400);
      const empty = await t.app.inject({
        method: 'POST',
        url: `/sso/saml/${connectionId}/acs`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: b.cookie },
        payload: 'RelayState=x',
      });
      assert.equal(empty.statusCode, 400);
      const big = await t.app.inject({
        method: 'POST',
        url: `/sso/saml/${connectionId}/acs`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: b.cookie },
        payload: `SAMLResponse=${'A'.repeat(300 * 1024)}`,
      });
      assert.equal(big.statusCode, 413);
      assert.ok(await t.directory.signIns.pending(b.attemptId));
    });
  });
}
