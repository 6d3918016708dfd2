// Accuracy at coarser levels of the tree: a daisy predicted as "sunflower" is wrong as a species but
// right as a "flower". Pure functions over a TaxonomyTree, used by the evaluation code.
import { TaxonomyError } from './errors.js';
import type { TaxonomyTree, TreeInput } from './tree.js';

export interface LabelledPrediction {
  /** Node of the image's true class. */
  trueNodeId: string;
  /** Node of the predicted class. */
  predictedNodeId: string;
}

export interface AncestorAccuracy {
  ancestorId: string;
  ancestorName: string;
  /** Images whose true class lies under the ancestor. */
  total: number;
  /** ...of which the prediction also lies under it. */
  correct: number;
  /** correct / total, null when total is 0. */
  accuracy: number | null;
  /** ...of which the prediction is exactly the true class. */
  exactCorrect: number;
  exactAccuracy: number | null;
  /** Images predicted under the ancestor whose true class is not under it (false alarms). */
  falsePositives: number;
}

/**
 * Accuracy at the level of one ancestor (e.g. "flower"): among images whose true class is under the
 * ancestor, the share whose prediction is under it too.
 */
export function accuracyUnder<T extends TreeInput>(
  tree: TaxonomyTree<T>,
  samples: readonly LabelledPrediction[],
  ancestorId: string,
): AncestorAccuracy {
  const ancestor = tree.get(ancestorId);
  const memo = new Map<string, boolean>();
  const under = (id: string) => {
    let v = memo.get(id);
    if (v === undefined) memo.set(id, (v = tree.isUnder(id, ancestorId)));
    return v;
  };
  let total = 0;
  let correct = 0;
  let exactCorrect = 0;
  let falsePositives = 0;
  for (const s of samples) {
    checkSample(tree, s);
    const t = under(s.trueNodeId);
    const p = under(s.predictedNodeId);
    if (t) {
      total++;
      if (p) correct++;
      if (s.predictedNodeId === s.trueNodeId) exactCorrect++;
    } else if (p) falsePositives++;
  }
  return {
    ancestorId,
    ancestorName: ancestor.name,
    total,
    correct,
    accuracy: total ? correct / total : null,
    exactCorrect,
    exactAccuracy: total ? exactCorrect / total : null,
    falsePositives,
  };
}

export interface DepthAccuracy {
  depth: number;
  total: number;
  /** Predictions whose ancestor at `depth` is the true class's ancestor at `depth`. */
  correct: number;
  accuracy: number | null;
}

/**
 * Accuracy when both the truth and the prediction are cut back to `depth` (entity = 0); a class
 * shallower than `depth` stands for itself.
 */
export function accuracyAtDepth<T extends TreeInput>(
  tree: TaxonomyTree<T>,
  samples: readonly LabelledPrediction[],
  depth: number,
): DepthAccuracy {
  if (!Number.isInteger(depth) || depth < 0)
    throw new TaxonomyError('INVALID_DATA', `depth must be a whole number ≥ 0, got ${depth}`);
  let correct = 0;
  for (const s of samples) {
    checkSample(tree, s);
    if (tree.ancestorAtDepth(s.trueNodeId, depth).id === tree.ancestorAtDepth(s.predictedNodeId, depth).id) correct++;
  }
  return { depth, total: samples.length, correct, accuracy: samples.length ? correct / samples.length : null };
}

export interface MistakeSeverity {
  mistakes: number;
  /** Mean number of levels from the true class up to the lowest common ancestor with the prediction. */
  meanLevelsToCommonAncestor: number | null;
}

/** How bad the wrong predictions are: a daisy taken for a sunflower is a 1-level mistake, for a truck ~10. */
export function mistakeSeverity<T extends TreeInput>(
  tree: TaxonomyTree<T>,
  samples: readonly LabelledPrediction[],
): MistakeSeverity {
  let mistakes = 0;
  let levels = 0;
  for (const s of samples) {
    checkSample(tree, s);
    if (s.trueNodeId === s.predictedNodeId) continue;
    mistakes++;
    const lca = tree.lowestCommonAncestor(s.trueNodeId, s.predictedNodeId);
    levels += tree.depth(s.trueNodeId) - (lca ? tree.depth(lca.id) : -1);
  }
  return { mistakes, meanLevelsToCommonAncestor: mistakes ? levels / mistakes : null };
}

function checkSample<T extends TreeInput>(tree: TaxonomyTree<T>, s: LabelledPrediction): void {
  if (!tree.has(s.trueNodeId))
    throw new TaxonomyError('NOT_FOUND', `true label node ${s.trueNodeId} is not in the taxonomy`);
  if (!tree.has(s.predictedNodeId)) {
    throw new TaxonomyError('NOT_FOUND', `predicted node ${s.predictedNodeId} is not in the taxonomy`);
  }
}
