/**
 * scenarios/builder.ts — build a scenario in TypeScript; the result is exactly what the same JSON
 * file gives (it goes through the same validation), e.g.
 *
 *   build({ topology: 'ring:50', duration: '60s' }).links({ latency: '5ms' })
 *     .at('20s', { type: 'remove-node', node: 'n3' }).scenario();
 */
import { Checker, validateScenario } from './load.ts';
import type { Scenario } from './types.ts';

type Json = Record<string, unknown>;

export class ScenarioBuilder {
  private readonly raw: Json;
  private readonly actions: Json[] = [];
  constructor(head: Json) {
    this.raw = { ...head };
  }
  links(props: Json): this {
    this.raw['links'] = { ...props };
    return this;
  }
  router(options: Json): this {
    this.raw['router'] = { ...options };
    return this;
  }
  measure(options: Json): this {
    this.raw['measure'] = { ...options };
    return this;
  }
  /** One action at a time ("10s", or Micros); fields as in the JSON format (README.md). */
  at(time: string | number, action: Json & { type: string }): this {
    this.actions.push({ at: time, ...action });
    return this;
  }
  /** The JSON form (what a scenario file would contain). */
  json(): Json {
    return { ...this.raw, actions: [...this.actions] };
  }
  scenario(baseDir = '.'): Scenario {
    return validateScenario(this.json(), new Checker('builder'), baseDir);
  }
}

export function build(
  head: { topology: string; duration: string | number } & Json,
): ScenarioBuilder {
  return new ScenarioBuilder(head);
}
