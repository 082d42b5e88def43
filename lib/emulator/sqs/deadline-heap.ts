/** Something with a deadline that a DeadlineHeap can order, and that remembers its own place in it. */
export interface HasDeadline {
  /** Epoch ms at which the item is due. */
  visibleAt: number;
  /** Position in the heap's array, -1 when not in a heap. Owned by the heap. */
  heapIndex: number;
}

/**
 * An indexed binary min-heap on `visibleAt`: push, pop, remove and re-key in O(log n), peek in O(1).
 * Items carry their own index, so a message can leave the heap (deleted, visibility changed) without a scan.
 */
export class DeadlineHeap<T extends HasDeadline> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.siftUp(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  remove(item: T): void {
    if (item.heapIndex >= 0 && this.items[item.heapIndex] === item) this.removeAt(item.heapIndex);
  }

  /** Call after changing `item.visibleAt` while it is in the heap. */
  update(item: T): void {
    const i = item.heapIndex;
    if (i < 0 || this.items[i] !== item) return;
    this.siftUp(i);
    this.siftDown(item.heapIndex);
  }

  clear(): void {
    for (const item of this.items) item.heapIndex = -1;
    this.items = [];
  }

  private removeAt(i: number): void {
    const items = this.items;
    const removed = items[i];
    const last = items.pop() as T;
    removed.heapIndex = -1;
    if (i < items.length) {
      items[i] = last;
      last.heapIndex = i;
      this.siftUp(i);
      this.siftDown(last.heapIndex);
    }
  }

  private siftUp(start: number): void {
    const items = this.items;
    let i = start;
    const item = items[i];
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex];
      if (parent.visibleAt <= item.visibleAt) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    const item = items[i];
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && items[right].visibleAt < items[left].visibleAt ? right : left;
      if (items[child].visibleAt >= item.visibleAt) break;
      items[i] = items[child];
      items[i].heapIndex = i;
      i = child;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
