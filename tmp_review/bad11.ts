export default (app) => { throw new TypeError("boom\nline2"); };
