// Object types of taxonomy: the scalar columns of each row. Relations are field resolvers (taxonomy.resolver.ts),
// batched per request with DataLoader.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTime } from '../../schema/scalars.js';
import { ClassOrigin } from '../../schema/enums.js';
import { Connection } from '../../schema/connection.js';

@ObjectType({ simpleResolvers: true, description: 'A node of the class taxonomy (WordNet synset or user class).' })
export class ClassNode {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true, description: 'WordNet id (n01234567) for ImageNet/WordNet nodes.' }) wnid!:
    string | null;
  @Field(() => String) name!: string;
  @Field(() => [String]) synonyms!: string[];
  @Field(() => ClassOrigin) origin!: ClassOrigin;
  @Field(() => Int) depth!: number;
  @Field(() => DateTime) createdAt!: Date;
  parentId!: string | null;
}

@ObjectType({
  simpleResolvers: true,
  description: 'A node of the taxonomy restricted to a version: its classes and their ancestors.',
})
export class ClassTreeNode {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true }) parentId!: string | null;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) wnid!: string | null;
  @Field(() => Int) depth!: number;
  @Field(() => Int, { nullable: true, description: 'Output unit when this node is a class of the version.' })
  outputUnit!: number | null;
  @Field(() => Boolean, { description: 'True when the version added this class.' }) added!: boolean;
  @Field(() => ClassOrigin, { nullable: true }) origin?: ClassOrigin | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Version tree only: dataset images labelled with exactly this class.',
  })
  imageCount?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: "Version tree only: the version's classes in this subtree, this node included.",
  })
  subtreeClassCount?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: "Version tree only: images of the version's classes in this subtree.",
  })
  subtreeImageCount?: number | null;
}

export const ClassNodeConnection = Connection(ClassNode, 'ClassNode');
