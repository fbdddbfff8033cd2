/**
 * Folder-level import loops between the rooms of src/ (features, platform) make the code one room in
 * practice: nothing can be understood or changed alone. Type-only imports count too — a loop in types
 * is still a loop for the reader.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The room a file belongs to: its top folder under src/ (platform counts as one room). */
const roomOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!;

/** room → rooms it imports (relative imports only; packages are not rooms). */
function roomGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = roomOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    const text = readFileSync(file, 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = path.resolve(path.dirname(file), specifier!);
      if (!target.startsWith(SRC)) continue;
      const to = roomOf(target);
      if (to !== from && !to.endsWith('.ts')) edges.add(to);
    }
  }
  return graph;
}

/** Every cycle's rooms, found as strongly connected components of more than one room (Tarjan). */
function loops(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (room: string) => {
    index.set(room, counter);
    low.set(room, counter++);
    stack.push(room);
    onStack.add(room);
    for (const next of graph.get(room) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(room, Math.min(low.get(room)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(room, Math.min(low.get(room)!, index.get(next)!));
      }
    }
    if (low.get(room) === index.get(room)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== room);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const room of graph.keys()) if (!index.has(room)) visit(room);
  return found;
}

describe('the rooms of src/', () => {
  const graph = roomGraph();

  it('import each other without loops', () => {
    expect(loops(graph)).toEqual([]);
  });

  it('keep the composition root on top: no room imports src/app/ or src/cli/ but the entry points', () => {
    const offenders = [...graph].filter(([room, edges]) => !['app', 'cli'].includes(room) && (edges.has('app') || edges.has('cli')));
    expect(offenders.map(([room]) => room)).toEqual([]);
  });

  it('keep platform free of features: it imports only itself', () => {
    expect([...(graph.get('platform') ?? [])]).toEqual([]);
  });

  it('finds a loop when there is one (the check itself works)', () => {
    const looped = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['a'])]]);
    expect(loops(looped)).toEqual([['a', 'b', 'c']]);
  });
});
