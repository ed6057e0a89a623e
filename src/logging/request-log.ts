import { LogController, type FastifyReply, type FastifyRequest, type HookHandlerDoneFunction, type onResponseHookHandler } from 'fastify'

/**
 * Fastify's request lines without the two it writes for every request ("incoming request", "request
 * completed"): at thousands of requests a second writing them costs more than answering. Every other line
 * stays: a response that failed while being sent, a serializer that failed, a stream that broke. Fastify's
 * `disableRequestLogging` would silence those errors too, so only these two methods are replaced.
 */
class ErrorsOnlyLogController extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) super.requestCompleted(error, request, reply)
  }
}

/**
 * Which of Fastify's own lines the server writes: REQUEST_LOG=all keeps Fastify's two lines a request;
 * anything else writes them for no request. The logger exists before the configuration is checked, so
 * an invalid value gets the default here and is refused by the check, naming REQUEST_LOG.
 */
export const requestLogController = (requestLog: string | undefined): LogController =>
  requestLog === 'all' ? new LogController() : new ErrorsOnlyLogController()

/** An event stream lasts as long as its follower stays: its length says nothing of the server's speed. */
const isEventStream = (reply: FastifyReply): boolean =>
  String(reply.raw.getHeader('content-type')).startsWith('text/event-stream')

/**
 * One warning for a request that ended in a 5xx or took longer than `slowMs`: the route's template (never
 * the URL a client sent, whose query may carry a code or a token), the method, status and duration; no
 * header and no body. A 5xx's cause is logged by the error handler, under the same `reqId`.
 */
export function slowOrFailedRequests (slowMs: number): onResponseHookHandler {
  // Callback style, and nothing allocated for a request answered in time: this runs for every request.
  return function logSlowOrFailed (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const statusCode = reply.statusCode
    const elapsed = reply.elapsedTime
    if (statusCode >= 500 || (elapsed > slowMs && !isEventStream(reply))) {
      request.log.warn({ method: request.method, route: request.routeOptions.url, statusCode, durationMs: Math.round(elapsed) },
        statusCode >= 500 ? 'server error' : 'slow request')
    }
    done()
  }
}
