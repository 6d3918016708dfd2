// The committed ImageNet hierarchy as a ready-to-query tree (ids = wnids), e.g. for evaluations that
// run without a database, and the list of the 1000 classes in output-unit order.
import { loadImagenetTaxonomy, type SynsetNode } from './data.js';
import { TaxonomyTree, type TreeInput } from './tree.js';

export interface ImagenetTreeNode extends TreeInput, SynsetNode {}

let tree: TaxonomyTree<ImagenetTreeNode> | undefined;

export function imagenetTree(): TaxonomyTree<ImagenetTreeNode> {
  tree ??= new TaxonomyTree(loadImagenetTaxonomy().nodes.map((n) => ({ ...n, id: n.wnid, parentId: n.parentWnid })));
  return tree;
}

/** The 1000 ImageNet classes ordered by the base model's output unit. */
export function imagenetClasses(): SynsetNode[] {
  return loadImagenetTaxonomy()
    .nodes.filter((n) => n.classIndex !== null)
    .sort((a, b) => (a.classIndex as number) - (b.classIndex as number));
}
