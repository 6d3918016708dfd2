// Public surface of datasets: datasets and their images, imports (server folders, uploads, zips), immutable
// dataset versions, and the lists behind the GraphQL connections.
export {
  createDataset,
  getDataset,
  getDatasetImport,
  latestDatasetVersion,
  datasetImageCount,
  importImageFolder,
  addBase64Images,
  ingestFiles,
  freezeDatasetVersion,
  datasetClassCounts,
  splitForHash,
  classCountsFromJson,
  type IngestFile,
  type ClassCountRow,
} from './datasets.js';
export {
  previewImageFolder,
  layoutNote,
  DEFAULT_VAL_FRACTION,
  type FolderLayout,
  type ImportPreview,
  type ImportPreviewClass,
} from './datasets.js';
export { datasetsById, datasetVersionsById, imagesById, getImage, rejectionCountsOfImports } from './batches.js';
export { filesFromZip, storeImages, isZip } from './uploads.js';
export { ZipRejectedError } from './zip.js';
export { checkImageHeader, type ImageHeader } from './images.js';
export { StorageFullError, isStorageFailure } from './datasets.js';
export {
  listDatasets,
  listDatasetImages,
  listDatasetVersionImages,
  listDatasetVersions,
  listDatasetImports,
  listImportRejections,
  type DatasetImageFilter,
} from './lists.js';
