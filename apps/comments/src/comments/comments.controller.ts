import { Body, Controller, Delete, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import {
  type Actor,
  type CommentView,
  commentIdParamSchema,
  commentPostIdParamSchema,
  type EditCommentRequest,
  editCommentRequestSchema,
  type PostCommentRequest,
  type PostCommentResponse,
  postCommentRequestSchema,
} from '@parley/contracts';
import {
  CurrentActor,
  CurrentClient,
  CurrentOrigin,
  type RequestOrigin,
  requireActor,
} from '@parley/platform';
import type { FastifyReply } from 'fastify';
import { CommentUseCases, writerOf } from './comment-use-cases';

/** Writing comments: post or reply, edit, delete. */
@Controller('v1')
export class CommentsController {
  constructor(private readonly comments: CommentUseCases) {}

  @Post('posts/:postId/comments')
  async post(
    @CurrentActor() actor: Actor | null,
    @CurrentClient() clientKey: string | null,
    @CurrentOrigin() origin: RequestOrigin,
    @Param('postId', { schema: commentPostIdParamSchema }) postId: string,
    @Body({ schema: postCommentRequestSchema }) body: PostCommentRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PostCommentResponse> {
    const { author, ...request } = body;
    const posted = await this.comments.post(
      postId,
      request,
      writerOf(actor, author),
      clientKey,
      origin,
    );
    void reply.header('location', `/v1/comments/${posted.id}`);
    return posted;
  }

  @Patch('comments/:commentId')
  async edit(
    @CurrentActor() actor: Actor | null,
    @Param('commentId', { schema: commentIdParamSchema }) commentId: string,
    @Body({ schema: editCommentRequestSchema }) body: EditCommentRequest,
  ): Promise<CommentView> {
    return this.comments.edit(commentId, body.body, requireActor(actor));
  }

  @Delete('comments/:commentId')
  @HttpCode(204)
  async remove(
    @CurrentActor() actor: Actor | null,
    @Param('commentId', { schema: commentIdParamSchema }) commentId: string,
  ): Promise<void> {
    await this.comments.remove(commentId, requireActor(actor));
  }
}
