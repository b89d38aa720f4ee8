import { join } from 'node:path';
import { loadLocalWiring } from '../src/loadLocalWiring.js';
import {
  describeLocalActions,
  InvalidLocalActionInputError,
  runLocalAction,
  UnknownLocalActionError,
} from '../src/localActions.js';
import { defineLocalWiring, InvalidLocalWiringError, type LocalActionContext } from '../src/localWiring.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** An action context with only what these actions read: the service's name. */
function contextFor(name: string): LocalActionContext {
  return { service: { name } } as LocalActionContext;
}

const action = (id: string) => ({ id, label: id, description: id, run: async () => id });

describe('Function: defineLocalWiring()', () => {
  it('answers the wiring it was given', () => {
    // Prepare
    const wiring = { actions: [action('a'), action('b-2')] };

    // Act & Assess
    expect(defineLocalWiring(wiring)).toBe(wiring);
  });

  it.each([
    ['an id with capitals', [action('Publish')], 'action id "Publish" must match'],
    ['an id with a slash', [action('a/b')], 'action id "a/b" must match'],
    ['an id used twice', [action('a'), action('a')], 'action id "a" appears twice'],
  ])('refuses %s, naming the file', (_, actions, message) => {
    // Act & Assess
    expect(() => defineLocalWiring({ actions }, 'services/x/local.ts')).toThrow(InvalidLocalWiringError);
    expect(() => defineLocalWiring({ actions }, 'services/x/local.ts')).toThrow(`services/x/local.ts: ${message}`);
  });
});

describe('Function: loadLocalWiring()', () => {
  it("loads the default export of a service folder's local.ts", async () => {
    // Act
    const wiring = await loadLocalWiring(join(FIXTURES, 'declared'));

    // Assess
    expect(wiring.actions?.map((a) => a.id)).toEqual(['echo']);
  });

  it('answers no wiring for a folder without local.ts', async () => {
    // Act & Assess
    expect(await loadLocalWiring(join(FIXTURES, 'undeclared'))).toEqual({});
  });

  it('refuses a default export that is not a wiring object, naming the file', async () => {
    // Act & Assess
    await expect(loadLocalWiring(join(FIXTURES, 'not-an-object'))).rejects.toThrow(
      /not-an-object\/local\.ts: its default export must be the object of defineLocalWiring/,
    );
  });
});

describe('Function: describeLocalActions()', () => {
  it('lists each action without its code, with its input only when it declares one', async () => {
    // Prepare
    const wiring = defineLocalWiring({
      actions: [{ ...action('plain') }, { ...action('with-input'), input: { type: 'news' } }],
    });

    // Act & Assess
    expect(describeLocalActions(wiring)).toEqual([
      { id: 'plain', label: 'plain', description: 'plain' },
      { id: 'with-input', label: 'with-input', description: 'with-input', input: { type: 'news' } },
    ]);
  });
});

describe('Function: runLocalAction()', () => {
  it('runs the action with its context and input', async () => {
    // Prepare
    const wiring = await loadLocalWiring(join(FIXTURES, 'declared'));

    // Act
    const result = await runLocalAction(wiring, contextFor('orders'), 'echo', { greeting: 'hi' });

    // Assess
    expect(result).toEqual({ service: 'orders', input: { greeting: 'hi' } });
  });

  it('refuses an unknown action with 404, listing the declared ones', async () => {
    // Act
    const run = runLocalAction({ actions: [action('a'), action('b')] }, contextFor('orders'), 'c', {});

    // Assess
    await expect(run).rejects.toThrow(UnknownLocalActionError);
    await expect(run).rejects.toMatchObject({
      status: 404,
      message: 'No action "c" for service "orders". Actions: a, b',
    });
  });

  it.each([[null], [[1, 2]], ['text']])('refuses the input %p with 400', async (input) => {
    // Act
    const run = runLocalAction({ actions: [action('a')] }, contextFor('orders'), 'a', input);

    // Assess
    await expect(run).rejects.toThrow(InvalidLocalActionInputError);
    await expect(run).rejects.toMatchObject({ status: 400 });
  });
});
