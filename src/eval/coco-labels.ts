// Detections with labels (or none) -> COCO category ids of a ground truth, browser-safe. A label
// names a category by its name (case-insensitive); a detection of a label the ground truth does not
// annotate is left out, as pycocotools evaluates only the ground truth's categories; an unlabelled
// detection (a face detector's) belongs to the only category.
import type { CocoDataset } from './coco.js';

export type CategoryOf = (label: string | undefined) => number | 'other';

/** `unlabelled`: the category name unlabelled detections belong to (default: the only category). */
export function categoryMatcher(gt: CocoDataset, where: string, unlabelled?: string): CategoryOf {
  const byLabel = new Map(gt.categories.map((c) => [c.name.toLowerCase(), c.id]));
  if (unlabelled !== undefined && !byLabel.has(unlabelled.toLowerCase())) throw new Error(`${where}: category '${unlabelled}' is not in the ground truth (${gt.categories.map((c) => c.name).join(', ')})`);
  const only = unlabelled !== undefined ? byLabel.get(unlabelled.toLowerCase()) : gt.categories.length === 1 ? gt.categories[0]!.id : undefined;
  return (label) => {
    if (label !== undefined) return byLabel.get(label.toLowerCase()) ?? 'other';
    if (only === undefined) throw new Error(`${where}: a detection without a label, and the ground truth has ${gt.categories.length} categories (${gt.categories.map((c) => c.name).join(', ')}): say which one it is`);
    return only;
  };
}
