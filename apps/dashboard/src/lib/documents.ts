// GraphQL documents used by the shell (pages keep their own documents next to them).
import { graphql } from '@/gql';

export const ViewerDoc = graphql(`
  query Viewer {
    viewer {
      name
      role
    }
  }
`);
