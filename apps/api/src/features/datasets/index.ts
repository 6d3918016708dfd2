// Feature datasets: datasets, their versions, images and imports.
export {
  DatasetResolver,
  DatasetVersionResolver,
  DatasetImageResolver,
  DatasetImportResolver,
} from './datasets.resolver.js';
