// The fields of the typed reports the version, model and job pages select (see metrics.ts).
import { graphql } from '@/gql';

export const ValidationReportFields = graphql(`
  fragment ValidationReportFields on ValidationReport {
    overall {
      count
      top1
      top5
    }
    old {
      count
      top1
      top5
    }
    new {
      count
      top1
      top5
    }
    retention {
      count
      parentTop1
      childTop1
      dropPoints
      kept
    }
    perClass {
      unit
      label
      support
      predicted
      correct
      precision
      recall
    }
    newAsOther {
      trueUnit
      trueLabel
      predictedUnit
      predictedLabel
      count
    }
    oldAsNew {
      trueUnit
      trueLabel
      predictedUnit
      predictedLabel
      count
    }
    images {
      label
      train
      val
    }
    parentLevel {
      count
      top1
    }
    knobTradeoff {
      chosenKnob
      points {
        knob
        biasShift
        heldOutAccuracy
        heldOutChanged
      }
    }
  }
`);

export const GrowthFields = graphql(`
  fragment GrowthFields on GrowthParams {
    newLabels
    mergedLabels
    merges {
      label
      outputUnit
      classNode {
        id
        name
      }
    }
    options {
      retentionKnob
      augmentations
      epochs
      seed
      views
    }
  }
`);
