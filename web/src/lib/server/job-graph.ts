// The job machine as a graph for the console's diagram: its states and transitions are read from the
// XState definition itself (workflows/job-machine.ts), so the picture cannot drift from the rules.
import { jobMachine } from '#workflows/job-machine.ts';

export interface MachineEdge {
  from: string;
  to: string;
  events: string[];
}

export interface MachineGraph {
  states: { id: string; final: boolean }[];
  edges: MachineEdge[];
}

type StateConfig = { type?: string; on?: Record<string, unknown>; always?: unknown };

const targetsOf = (t: unknown): string[] => {
  if (!t) return [];
  if (Array.isArray(t)) return t.flatMap(targetsOf);
  if (typeof t === 'string') return [t];
  if (typeof t === 'object' && 'target' in t) return targetsOf(t.target);
  return [];
};

export function machineGraph(): MachineGraph {
  const states = (jobMachine.config.states ?? {}) as Record<string, StateConfig>;
  const edges = new Map<string, MachineEdge>();
  const add = (from: string, to: string, event: string) => {
    const name = to.replace(/^\./, '').replace(/^#.*\./, '');
    if (name === from) return;
    const key = `${from}>${name}`;
    const edge = edges.get(key) ?? { from, to: name, events: [] };
    if (!edge.events.includes(event)) edge.events.push(event);
    edges.set(key, edge);
  };
  for (const [id, s] of Object.entries(states)) {
    for (const [event, t] of Object.entries(s.on ?? {})) targetsOf(t).forEach((to) => add(id, to, event));
    targetsOf(s.always).forEach((to) => add(id, to, 'all paid'));
  }
  return {
    states: Object.entries(states).map(([id, s]) => ({ id, final: s.type === 'final' })),
    edges: [...edges.values()],
  };
}
