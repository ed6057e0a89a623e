import express from 'express'
import passport from 'passport'
import { ExtractJwt, Strategy } from 'passport-jwt'
import { announce, stats } from './report.js'

/** The peer an Express team would pick: passport-jwt, configured as tightly as Tollgate. */
passport.use(new Strategy({
  jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
  secretOrKey: process.env.JWT_SECRET ?? '',
  algorithms: ['HS256'],
  issuer: process.env.ISSUER ?? 'tollgate',
  audience: 'tollgate-api'
}, (payload: { sub: string }, done: (error: null, user: { sub: string }) => void) => { done(null, { sub: payload.sub }) }))

const app = express()
app.disable('x-powered-by')
app.use(passport.initialize())
app.get('/bench/open', (_request, response) => { response.json({ sub: 'anonymous-caller-0000000000000000000' }) })
app.get('/bench/protected', passport.authenticate('jwt', { session: false }), (request, response) => {
  response.json({ sub: (request.user as { sub: string }).sub })
})
app.get('/bench/stats', (request, response) => { response.json(stats(request.query.reset === '1')) })
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address()
  announce(typeof address === 'object' && address !== null ? address.port : 0)
})
