/** The order CloudFormation creates a stack's resources in: every resource after what it depends on. */
import { referencedResources } from './intrinsics';
import { type CfnTemplate, TemplateError } from './template';

/** What each resource waits for: its DependsOn plus every resource its properties refer to. */
export function dependencies(template: CfnTemplate, stackName: string): Map<string, Set<string>> {
  const ids = new Set(Object.keys(template.Resources));
  const graph = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const deps = referencedResources(resource.Properties ?? {}, ids);
    for (const dep of [resource.DependsOn ?? []].flat()) {
      if (!ids.has(dep)) {
        throw new TemplateError(
          stackName,
          id,
          `DependsOn names ${dep}, which is not a resource of the template`,
        );
      }
      deps.add(dep);
    }
    deps.delete(id);
    graph.set(id, deps);
  }
  return graph;
}

/**
 * Orders the resources so each comes after its dependencies; among those ready at once, template order is
 * kept, so the same template always deploys the same way. A cycle fails with the resources on it.
 */
export function creationOrder(template: CfnTemplate, stackName: string): string[] {
  const graph = dependencies(template, stackName);
  const waitingOn = new Map([...graph].map(([id, deps]) => [id, deps.size]));
  const dependents = new Map<string, string[]>();
  for (const [id, deps] of graph)
    for (const dep of deps) dependents.set(dep, [...(dependents.get(dep) ?? []), id]);

  const templateOrder = [...graph.keys()];
  const ready = templateOrder.filter((id) => waitingOn.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(id);
    const unblocked = (dependents.get(id) ?? []).filter((d) => {
      const left = (waitingOn.get(d) ?? 0) - 1;
      waitingOn.set(d, left);
      return left === 0;
    });
    ready.push(...unblocked);
    ready.sort((a, b) => templateOrder.indexOf(a) - templateOrder.indexOf(b));
  }
  if (order.length < templateOrder.length) {
    const cycle = findCycle(graph, new Set(order));
    throw new TemplateError(
      stackName,
      undefined,
      `Circular dependency between resources: [${cycle.join(', ')}]`,
    );
  }
  return order;
}

/** One cycle among the resources that could not be ordered, for the error message. */
function findCycle(graph: Map<string, Set<string>>, placed: ReadonlySet<string>): string[] {
  const start = [...graph.keys()].find((id) => !placed.has(id)) as string;
  const path: string[] = [];
  const onPath = new Map<string, number>();
  let current = start;
  while (!onPath.has(current)) {
    onPath.set(current, path.length);
    path.push(current);
    current = [...(graph.get(current) ?? [])].find((dep) => !placed.has(dep)) as string;
  }
  return path.slice(onPath.get(current));
}
