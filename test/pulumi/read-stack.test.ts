/**
 * readStack under the Pulumi runtime (issue 13, defect 11): the engine hands the program decrypted
 * values, so which keys were secret must come from the runtime's secret key list.
 */
import * as pulumi from '@pulumi/pulumi';
import { isSecretOutput, setupMocks, stackConfigMap, value } from './harness';
import { readStack } from '../../components/read-stack';

setupMocks('dev');

/** Sets the dev stack's config as the engine would: decrypted values plus the secret key list. */
function engineConfig(patch: Record<string, unknown>, secretKeys: string[]): void {
  pulumi.runtime.setAllConfig(stackConfigMap('dev', patch), secretKeys);
}

test('defect 11: a non-secret key set with --secret fails the preview naming the key, though its value arrives decrypted', () => {
  engineConfig({ 'cortex-iq:realm': 'be.cortexiq.energy' }, ['cortex-iq:realm']);
  expect(() => readStack()).toThrow(pulumi.RunError);
  expect(() => readStack()).toThrow(/cortex-iq:realm: is a secret, but only databasePassword/);
});

test('defect 11: a secret key set in plain text fails the preview with the command that sets it as a secret', () => {
  engineConfig({ 'cortex-iq:databasePassword': 'hunter2-in-plain-text' }, []);
  expect(() => readStack()).toThrow(
    /cortex-iq:databasePassword: is set in plain text; set it with `pulumi config set --secret cortex-iq:databasePassword`/,
  );
});

test('defect 11: secret keys set with --secret reach the program as Pulumi secrets, and the model holds no secret', async () => {
  engineConfig({ 'cortex-iq:meshSecret': 'mesh-secret-value-0123456789' }, ['cortex-iq:meshSecret']);
  const { config, secrets } = readStack();
  expect(Object.keys(secrets)).toEqual(['meshSecret']);
  expect(await isSecretOutput(secrets.meshSecret!)).toBe(true);
  expect(await value(secrets.meshSecret)).toBe('mesh-secret-value-0123456789');
  expect(JSON.stringify(config)).not.toContain('mesh-secret-value');
});
