// The bench needs it too and may not import the tests: it lives there, the tests keep their import here.
export { freePort } from '../../bench/lib/free-port.js'
