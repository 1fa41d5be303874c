/**
 * scenarios/check-names.ts — the names a scenario's actions use checked against the resolved
 * topology, before the run starts.
 */
import { InputError } from '../base/index.ts';
import type { Scenario } from './types.ts';

/**
 * Names the actions use must exist in the topology or be added by an add-node action. Checked
 * after the topology is resolved and before the run starts.
 */
export function checkNames(scenario: Scenario, topologyNodes: readonly string[]): void {
  const known = new Set(topologyNodes);
  for (const a of scenario.actions) if (a.type === 'add-node') known.add(a.node);
  const bad = (i: number, name: string, field: string): never => {
    throw new InputError(
      `${scenario.source}: actions[${i}] (${scenario.actions[i]?.type}): ${field} "${name}" is not a node of the topology nor added by an add-node action`,
    );
  };
  scenario.actions.forEach((a, i) => {
    const need = (n: string, f: string): void => {
      if (!known.has(n)) bad(i, n, f);
    };
    switch (a.type) {
      case 'add-node':
        for (const l of a.links) need(l.peer, 'links.peer');
        break;
      case 'remove-node':
        need(a.node, 'node');
        break;
      case 'add-link':
      case 'remove-link':
      case 'set-link':
      case 'flap':
        need(a.a, 'a');
        need(a.b, 'b');
        break;
      case 'churn':
        for (const n of a.nodes ?? []) need(n, 'nodes');
        break;
      case 'partition':
        for (const g of a.groups ?? []) for (const n of g) need(n, 'groups');
        for (const [x, y] of a.cut ?? []) {
          need(x, 'cut');
          need(y, 'cut');
        }
        break;
      case 'mobility':
        if (a.model === 'random-waypoint') for (const n of a.nodes ?? []) need(n, 'nodes');
        else for (const p of a.points) need(p.node, `trace ${a.file} node`);
        break;
      case 'adversary':
        need(a.node, 'node');
        for (const p of Object.keys(a.peers)) need(p, 'peers');
        break;
      case 'traffic':
        if (a.kind === 'ping')
          for (const [x, y] of a.pairs) {
            need(x, 'pairs');
            need(y, 'pairs');
          }
        if (a.kind === 'flow') {
          need(a.source, 'source');
          need(a.destination, 'destination');
        }
        break;
      default:
        break;
    }
  });
}

/**
 * Link actions must name a link that can exist: a topology link, or one an add-link or add-node
 * action makes, so a typo is an error rather than a silent no-op. Whether it is there at that
 * moment is checked when the action runs (scenarios/runner.ts). Not checked when the scenario has
 * mobility (its links come from radio range).
 */
export function checkLinks(
  scenario: Scenario,
  topologyLinks: readonly (readonly [string, string])[],
): void {
  // A link from a node to itself: the host refuses it when the action runs, so check does now.
  scenario.actions.forEach((a, i) => {
    const self =
      a.type === 'add-link' && a.a === a.b
        ? a.a
        : a.type === 'add-node' && a.links.some((l) => l.peer === a.node)
          ? a.node
          : null;
    if (self !== null)
      throw new InputError(
        `${scenario.source}: actions[${i}] ${a.type}: cannot link ${self} to itself`,
      );
  });
  if (scenario.actions.some((a) => a.type === 'mobility')) return;
  const key = (x: string, y: string): string => (x < y ? `${x}\0${y}` : `${y}\0${x}`);
  const known = new Set(topologyLinks.map(([x, y]) => key(x, y)));
  for (const a of scenario.actions) {
    if (a.type === 'add-link') known.add(key(a.a, a.b));
    if (a.type === 'add-node') for (const l of a.links) known.add(key(a.node, l.peer));
  }
  scenario.actions.forEach((a, i) => {
    const need = (x: string, y: string): void => {
      if (!known.has(key(x, y)))
        throw new InputError(
          `${scenario.source}: actions[${i}] ${a.type} ${x}–${y}: there is no link ${x}–${y}`,
        );
    };
    if (a.type === 'remove-link' || a.type === 'set-link' || a.type === 'flap') need(a.a, a.b);
    else if (a.type === 'partition') for (const [x, y] of a.cut ?? []) need(x, y);
  });
}
