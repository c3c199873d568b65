// @ts-self-types="./redis_client.d.ts"
// @redis/client 6.3.1 (MIT, https://github.com/redis/node-redis), bundled into one
// ES module by scripts/bundle_redis_client.ts with a reduced command table. Generated: do
// not edit; `deno task bundle-redis` rebuilds it, `deno task check` checks it.
import builtin0 from "node:dns/promises";
import builtin1 from "node:events";
import builtin2 from "node:net";
import builtin3 from "node:assert";
import builtin4 from "node:crypto";
import builtin5 from "node:diagnostics_channel";
import builtin6 from "node:events";
import builtin7 from "node:net";
import builtin8 from "node:perf_hooks";
import builtin9 from "node:timers/promises";
import builtin10 from "node:tls";
import builtin11 from "node:url";
import builtin12 from "node:stream";
const builtins = { "dns/promises": builtin0, "events": builtin1, "net": builtin2, "node:assert": builtin3, "node:crypto": builtin4, "node:diagnostics_channel": builtin5, "node:events": builtin6, "node:net": builtin7, "node:perf_hooks": builtin8, "node:timers/promises": builtin9, "node:tls": builtin10, "node:url": builtin11, "stream": builtin12 };
const require = (id) => {
  if (!Object.hasOwn(builtins, id)) throw new Error(`${id} is not bundled`);
  return builtins[id];
};
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});
var __commonJS = (cb, mod) => function __require2() {
  return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// dist/lib/RESP/verbatim-string.js
var require_verbatim_string = __commonJS({
  "dist/lib/RESP/verbatim-string.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.VerbatimString = void 0;
    var VerbatimString = class extends String {
      format;
      constructor(format, value) {
        super(value);
        this.format = format;
      }
    };
    exports.VerbatimString = VerbatimString;
    Object.create(String.prototype).redisVerbatimString = true;
  }
});

// dist/lib/errors.js
var require_errors = __commonJS({
  "dist/lib/errors.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.MaxCommandRedirectionsError = exports.OpenTelemetryError = exports.MultiErrorReply = exports.CommandTimeoutDuringMaintenanceError = exports.SocketTimeoutDuringMaintenanceError = exports.TimeoutError = exports.BlobError = exports.SimpleError = exports.ErrorReply = exports.ReconnectStrategyError = exports.ScanIteratorInterruptedError = exports.RootNodesUnavailableError = exports.SocketClosedUnexpectedlyError = exports.DisconnectsClientError = exports.ClientOfflineError = exports.ClientClosedError = exports.SocketTimeoutError = exports.ConnectionTimeoutError = exports.WatchError = exports.AbortError = void 0;
    var AbortError = class extends Error {
      constructor() {
        super("The command was aborted");
      }
    };
    exports.AbortError = AbortError;
    var WatchError = class extends Error {
      constructor(message = "One (or more) of the watched keys has been changed") {
        super(message);
      }
    };
    exports.WatchError = WatchError;
    var ConnectionTimeoutError = class extends Error {
      constructor() {
        super("Connection timeout");
      }
    };
    exports.ConnectionTimeoutError = ConnectionTimeoutError;
    var SocketTimeoutError = class extends Error {
      constructor(timeout) {
        super(`Socket timeout timeout. Expecting data, but didn't receive any in ${timeout}ms.`);
      }
    };
    exports.SocketTimeoutError = SocketTimeoutError;
    var ClientClosedError = class extends Error {
      constructor() {
        super("The client is closed");
      }
    };
    exports.ClientClosedError = ClientClosedError;
    var ClientOfflineError = class extends Error {
      constructor() {
        super("The client is offline");
      }
    };
    exports.ClientOfflineError = ClientOfflineError;
    var DisconnectsClientError = class extends Error {
      constructor() {
        super("Disconnects client");
      }
    };
    exports.DisconnectsClientError = DisconnectsClientError;
    var SocketClosedUnexpectedlyError = class extends Error {
      constructor() {
        super("Socket closed unexpectedly");
      }
    };
    exports.SocketClosedUnexpectedlyError = SocketClosedUnexpectedlyError;
    var RootNodesUnavailableError = class extends Error {
      constructor() {
        super("All the root nodes are unavailable");
      }
    };
    exports.RootNodesUnavailableError = RootNodesUnavailableError;
    var ScanIteratorInterruptedError = class extends Error {
      constructor(cause) {
        super("Scan iteration was interrupted by a Sentinel master change", cause === void 0 ? void 0 : { cause });
      }
    };
    exports.ScanIteratorInterruptedError = ScanIteratorInterruptedError;
    var ReconnectStrategyError = class extends Error {
      originalError;
      socketError;
      constructor(originalError, socketError) {
        super(originalError.message);
        this.originalError = originalError;
        this.socketError = socketError;
      }
    };
    exports.ReconnectStrategyError = ReconnectStrategyError;
    var ErrorReply2 = class extends Error {
    };
    exports.ErrorReply = ErrorReply2;
    var SimpleError = class extends ErrorReply2 {
    };
    exports.SimpleError = SimpleError;
    var BlobError = class extends ErrorReply2 {
    };
    exports.BlobError = BlobError;
    var TimeoutError = class extends Error {
    };
    exports.TimeoutError = TimeoutError;
    var SocketTimeoutDuringMaintenanceError = class extends TimeoutError {
      constructor(timeout) {
        super(`Socket timeout during maintenance. Expecting data, but didn't receive any in ${timeout}ms.`);
      }
    };
    exports.SocketTimeoutDuringMaintenanceError = SocketTimeoutDuringMaintenanceError;
    var CommandTimeoutDuringMaintenanceError = class extends TimeoutError {
      constructor(timeout) {
        super(`Command timeout during maintenance. Waited to write command for more than ${timeout}ms.`);
      }
    };
    exports.CommandTimeoutDuringMaintenanceError = CommandTimeoutDuringMaintenanceError;
    var MultiErrorReply = class extends ErrorReply2 {
      replies;
      errorIndexes;
      constructor(replies, errorIndexes) {
        super(`${errorIndexes.length} commands failed, see .replies and .errorIndexes for more information`);
        this.replies = replies;
        this.errorIndexes = errorIndexes;
      }
      *errors() {
        for (const index of this.errorIndexes) {
          yield this.replies[index];
        }
      }
    };
    exports.MultiErrorReply = MultiErrorReply;
    var OpenTelemetryError = class extends Error {
    };
    exports.OpenTelemetryError = OpenTelemetryError;
    var MaxCommandRedirectionsError = class extends Error {
      constructor(cause) {
        super("Too many Cluster redirections", cause === void 0 ? void 0 : { cause });
      }
    };
    exports.MaxCommandRedirectionsError = MaxCommandRedirectionsError;
  }
});

// dist/lib/RESP/decoder.js
var require_decoder = __commonJS({
  "dist/lib/RESP/decoder.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Decoder = exports.PUSH_TYPE_MAPPING = exports.RESP_TYPES = void 0;
    var verbatim_string_1 = require_verbatim_string();
    var errors_1 = require_errors();
    exports.RESP_TYPES = {
      NULL: 95,
      // _
      BOOLEAN: 35,
      // #
      NUMBER: 58,
      // :
      BIG_NUMBER: 40,
      // (
      DOUBLE: 44,
      // ,
      SIMPLE_STRING: 43,
      // +
      BLOB_STRING: 36,
      // $
      VERBATIM_STRING: 61,
      // =
      SIMPLE_ERROR: 45,
      // -
      BLOB_ERROR: 33,
      // !
      ARRAY: 42,
      // *
      SET: 126,
      // ~
      MAP: 37,
      // %
      PUSH: 62
      // >
    };
    var ASCII = {
      "\r": 13,
      "t": 116,
      "+": 43,
      "-": 45,
      "0": 48,
      ".": 46
    };
    var POWERS_OF_10 = [
      1,
      10,
      100,
      1e3,
      1e4,
      1e5,
      1e6,
      1e7,
      1e8,
      1e9,
      1e10,
      1e11,
      1e12,
      1e13,
      1e14,
      1e15,
      1e16,
      1e17,
      1e18,
      1e19,
      1e20,
      1e21,
      1e22
    ];
    var MAX_SIGNIFICAND_BEFORE_DIGIT = 900719925474098;
    function slowParseDouble(buffer, start, end) {
      const string = buffer.toString(void 0, start, end);
      switch (string) {
        case "inf":
        case "+inf":
          return Infinity;
        case "-inf":
          return -Infinity;
        case "nan":
          return NaN;
      }
      return Number(string);
    }
    exports.PUSH_TYPE_MAPPING = {
      [exports.RESP_TYPES.BLOB_STRING]: Buffer
    };
    var Decoder = class {
      onReply;
      onErrorReply;
      onPush;
      getTypeMapping;
      #cursor = 0;
      #next;
      constructor(config) {
        this.onReply = config.onReply;
        this.onErrorReply = config.onErrorReply;
        this.onPush = config.onPush;
        this.getTypeMapping = config.getTypeMapping;
      }
      reset() {
        this.#cursor = 0;
        this.#next = void 0;
      }
      write(chunk) {
        if (this.#cursor >= chunk.length) {
          this.#cursor -= chunk.length;
          return;
        }
        if (this.#next) {
          if (this.#next(chunk) || this.#cursor >= chunk.length) {
            this.#cursor -= chunk.length;
            return;
          }
        }
        do {
          const type = chunk[this.#cursor];
          if (++this.#cursor === chunk.length) {
            this.#next = this.#continueDecodeTypeValue.bind(this, type);
            break;
          }
          if (this.#decodeTypeValue(type, chunk)) {
            break;
          }
        } while (this.#cursor < chunk.length);
        this.#cursor -= chunk.length;
      }
      #continueDecodeTypeValue(type, chunk) {
        this.#next = void 0;
        return this.#decodeTypeValue(type, chunk);
      }
      #decodeTypeValue(type, chunk) {
        switch (type) {
          case exports.RESP_TYPES.NULL:
            this.onReply(this.#decodeNull());
            return false;
          case exports.RESP_TYPES.BOOLEAN:
            return this.#handleDecodedValue(this.onReply, this.#decodeBoolean(chunk));
          case exports.RESP_TYPES.NUMBER:
            return this.#handleDecodedValue(this.onReply, this.#decodeNumber(this.getTypeMapping()[exports.RESP_TYPES.NUMBER], chunk));
          case exports.RESP_TYPES.BIG_NUMBER:
            return this.#handleDecodedValue(this.onReply, this.#decodeBigNumber(this.getTypeMapping()[exports.RESP_TYPES.BIG_NUMBER], chunk));
          case exports.RESP_TYPES.DOUBLE:
            return this.#handleDecodedValue(this.onReply, this.#decodeDouble(this.getTypeMapping()[exports.RESP_TYPES.DOUBLE], chunk));
          case exports.RESP_TYPES.SIMPLE_STRING:
            return this.#handleDecodedValue(this.onReply, this.#decodeSimpleString(this.getTypeMapping()[exports.RESP_TYPES.SIMPLE_STRING], chunk));
          case exports.RESP_TYPES.BLOB_STRING:
            return this.#handleDecodedValue(this.onReply, this.#decodeBlobString(this.getTypeMapping()[exports.RESP_TYPES.BLOB_STRING], chunk));
          case exports.RESP_TYPES.VERBATIM_STRING:
            return this.#handleDecodedValue(this.onReply, this.#decodeVerbatimString(this.getTypeMapping()[exports.RESP_TYPES.VERBATIM_STRING], chunk));
          case exports.RESP_TYPES.SIMPLE_ERROR:
            return this.#handleDecodedValue(this.onErrorReply, this.#decodeSimpleError(chunk));
          case exports.RESP_TYPES.BLOB_ERROR:
            return this.#handleDecodedValue(this.onErrorReply, this.#decodeBlobError(chunk));
          case exports.RESP_TYPES.ARRAY:
            return this.#handleDecodedValue(this.onReply, this.#decodeArray(this.getTypeMapping(), chunk));
          case exports.RESP_TYPES.SET:
            return this.#handleDecodedValue(this.onReply, this.#decodeSet(this.getTypeMapping(), chunk));
          case exports.RESP_TYPES.MAP:
            return this.#handleDecodedValue(this.onReply, this.#decodeMap(this.getTypeMapping(), chunk));
          case exports.RESP_TYPES.PUSH:
            return this.#handleDecodedValue(this.onPush, this.#decodeArray(exports.PUSH_TYPE_MAPPING, chunk));
          default:
            throw new Error(`Unknown RESP type ${type} "${String.fromCharCode(type)}"`);
        }
      }
      #handleDecodedValue(cb, value) {
        if (typeof value === "function") {
          this.#next = this.#continueDecodeValue.bind(this, cb, value);
          return true;
        }
        cb(value);
        return false;
      }
      #continueDecodeValue(cb, next, chunk) {
        this.#next = void 0;
        return this.#handleDecodedValue(cb, next(chunk));
      }
      #decodeNull() {
        this.#cursor += 2;
        return null;
      }
      #decodeBoolean(chunk) {
        const boolean = chunk[this.#cursor] === ASCII.t;
        this.#cursor += 3;
        return boolean;
      }
      #decodeNumber(type, chunk) {
        if (type === String) {
          return this.#decodeSimpleString(String, chunk);
        }
        switch (chunk[this.#cursor]) {
          case ASCII["+"]:
            return this.#maybeDecodeNumberValue(false, chunk);
          case ASCII["-"]:
            return this.#maybeDecodeNumberValue(true, chunk);
          default:
            return this.#decodeNumberValue(false, this.#decodeUnsingedNumber.bind(this, 0), chunk);
        }
      }
      #maybeDecodeNumberValue(isNegative, chunk) {
        const cb = this.#decodeUnsingedNumber.bind(this, 0);
        return ++this.#cursor === chunk.length ? this.#decodeNumberValue.bind(this, isNegative, cb) : this.#decodeNumberValue(isNegative, cb, chunk);
      }
      #decodeNumberValue(isNegative, numberCb, chunk) {
        const number = numberCb(chunk);
        return typeof number === "function" ? this.#decodeNumberValue.bind(this, isNegative, number) : isNegative ? -number : number;
      }
      #decodeUnsingedNumber(number, chunk) {
        let cursor = this.#cursor;
        do {
          const byte = chunk[cursor];
          if (byte === ASCII["\r"]) {
            this.#cursor = cursor + 2;
            return number;
          }
          number = number * 10 + byte - ASCII["0"];
        } while (++cursor < chunk.length);
        this.#cursor = cursor;
        return this.#decodeUnsingedNumber.bind(this, number);
      }
      #decodeBigNumber(type, chunk) {
        if (type === String) {
          return this.#decodeSimpleString(String, chunk);
        }
        switch (chunk[this.#cursor]) {
          case ASCII["+"]:
            return this.#maybeDecodeBigNumberValue(false, chunk);
          case ASCII["-"]:
            return this.#maybeDecodeBigNumberValue(true, chunk);
          default:
            return this.#decodeBigNumberValue(false, this.#decodeUnsingedBigNumber.bind(this, 0n), chunk);
        }
      }
      #maybeDecodeBigNumberValue(isNegative, chunk) {
        const cb = this.#decodeUnsingedBigNumber.bind(this, 0n);
        return ++this.#cursor === chunk.length ? this.#decodeBigNumberValue.bind(this, isNegative, cb) : this.#decodeBigNumberValue(isNegative, cb, chunk);
      }
      #decodeBigNumberValue(isNegative, bigNumberCb, chunk) {
        const bigNumber = bigNumberCb(chunk);
        return typeof bigNumber === "function" ? this.#decodeBigNumberValue.bind(this, isNegative, bigNumber) : isNegative ? -bigNumber : bigNumber;
      }
      #decodeUnsingedBigNumber(bigNumber, chunk) {
        let cursor = this.#cursor;
        do {
          const byte = chunk[cursor];
          if (byte === ASCII["\r"]) {
            this.#cursor = cursor + 2;
            return bigNumber;
          }
          bigNumber = bigNumber * 10n + BigInt(byte - ASCII["0"]);
        } while (++cursor < chunk.length);
        this.#cursor = cursor;
        return this.#decodeUnsingedBigNumber.bind(this, bigNumber);
      }
      #decodeDouble(type, chunk) {
        if (type === String) {
          return this.#decodeSimpleString(String, chunk);
        }
        const start = this.#cursor;
        let cursor = start;
        if (chunk[cursor] === ASCII["-"] || chunk[cursor] === ASCII["+"]) {
          cursor++;
        }
        let significand = 0, digits = 0, fractionDigits = -1;
        while (cursor < chunk.length) {
          const byte = chunk[cursor];
          if (byte === ASCII["\r"]) {
            this.#cursor = cursor + 2;
            if (digits === 0 || fractionDigits >= POWERS_OF_10.length) {
              return slowParseDouble(chunk, start, cursor);
            }
            const double = fractionDigits > 0 ? significand / POWERS_OF_10[fractionDigits] : significand;
            return chunk[start] === ASCII["-"] ? -double : double;
          }
          if (byte === ASCII["."] && fractionDigits === -1) {
            fractionDigits = 0;
          } else {
            const digit = byte - ASCII["0"];
            if (digit < 0 || digit > 9 || significand > MAX_SIGNIFICAND_BEFORE_DIGIT) {
              const crlfIndex = this.#findCRLF(chunk, cursor);
              return crlfIndex === -1 ? this.#continueDecodeDouble.bind(this, [chunk.subarray(start)]) : slowParseDouble(chunk, start, crlfIndex);
            }
            significand = significand * 10 + digit;
            digits++;
            if (fractionDigits !== -1)
              fractionDigits++;
          }
          cursor++;
        }
        this.#cursor = cursor;
        return this.#continueDecodeDouble.bind(this, [chunk.subarray(start)]);
      }
      #continueDecodeDouble(chunks, chunk) {
        const buffer = this.#continueDecodeSimpleString(chunks, Buffer, chunk);
        return typeof buffer === "function" ? this.#continueDecodeDouble.bind(this, chunks) : slowParseDouble(buffer, 0, buffer.length);
      }
      #findCRLF(chunk, cursor) {
        while (chunk[cursor] !== ASCII["\r"]) {
          if (++cursor === chunk.length) {
            this.#cursor = chunk.length;
            return -1;
          }
        }
        this.#cursor = cursor + 2;
        return cursor;
      }
      #decodeSimpleString(type, chunk) {
        const start = this.#cursor, crlfIndex = this.#findCRLF(chunk, start);
        if (crlfIndex === -1) {
          return this.#continueDecodeSimpleString.bind(this, [chunk.subarray(start)], type);
        }
        const slice = chunk.subarray(start, crlfIndex);
        return type === Buffer ? slice : slice.toString();
      }
      #continueDecodeSimpleString(chunks, type, chunk) {
        const start = this.#cursor, crlfIndex = this.#findCRLF(chunk, start);
        if (crlfIndex === -1) {
          chunks.push(chunk.subarray(start));
          return this.#continueDecodeSimpleString.bind(this, chunks, type);
        }
        chunks.push(chunk.subarray(start, crlfIndex));
        const buffer = Buffer.concat(chunks);
        return type === Buffer ? buffer : buffer.toString();
      }
      #decodeBlobString(type, chunk) {
        if (chunk[this.#cursor] === ASCII["-"]) {
          this.#cursor += 4;
          return null;
        }
        const length = this.#decodeUnsingedNumber(0, chunk);
        if (typeof length === "function") {
          return this.#continueDecodeBlobStringLength.bind(this, length, type);
        } else if (this.#cursor >= chunk.length) {
          return this.#decodeBlobStringWithLength.bind(this, length, type);
        }
        return this.#decodeBlobStringWithLength(length, type, chunk);
      }
      #continueDecodeBlobStringLength(lengthCb, type, chunk) {
        const length = lengthCb(chunk);
        if (typeof length === "function") {
          return this.#continueDecodeBlobStringLength.bind(this, length, type);
        } else if (this.#cursor >= chunk.length) {
          return this.#decodeBlobStringWithLength.bind(this, length, type);
        }
        return this.#decodeBlobStringWithLength(length, type, chunk);
      }
      #decodeStringWithLength(length, skip, type, chunk) {
        const end = this.#cursor + length;
        if (end >= chunk.length) {
          const slice2 = chunk.subarray(this.#cursor);
          this.#cursor = chunk.length;
          return this.#continueDecodeStringWithLength.bind(this, length - slice2.length, [slice2], skip, type);
        }
        const slice = chunk.subarray(this.#cursor, end);
        this.#cursor = end + skip;
        return type === Buffer ? slice : slice.toString();
      }
      #continueDecodeStringWithLength(length, chunks, skip, type, chunk) {
        const end = this.#cursor + length;
        if (end >= chunk.length) {
          const slice = chunk.subarray(this.#cursor);
          chunks.push(slice);
          this.#cursor = chunk.length;
          return this.#continueDecodeStringWithLength.bind(this, length - slice.length, chunks, skip, type);
        }
        chunks.push(chunk.subarray(this.#cursor, end));
        this.#cursor = end + skip;
        const buffer = Buffer.concat(chunks);
        return type === Buffer ? buffer : buffer.toString();
      }
      #decodeBlobStringWithLength(length, type, chunk) {
        return this.#decodeStringWithLength(length, 2, type, chunk);
      }
      #decodeVerbatimString(type, chunk) {
        return this.#continueDecodeVerbatimStringLength(this.#decodeUnsingedNumber.bind(this, 0), type, chunk);
      }
      #continueDecodeVerbatimStringLength(lengthCb, type, chunk) {
        const length = lengthCb(chunk);
        return typeof length === "function" ? this.#continueDecodeVerbatimStringLength.bind(this, length, type) : this.#decodeVerbatimStringWithLength(length, type, chunk);
      }
      #decodeVerbatimStringWithLength(length, type, chunk) {
        const stringLength = length - 4;
        if (type === verbatim_string_1.VerbatimString) {
          return this.#decodeVerbatimStringFormat(stringLength, chunk);
        }
        this.#cursor += 4;
        return this.#cursor >= chunk.length ? this.#decodeBlobStringWithLength.bind(this, stringLength, type) : this.#decodeBlobStringWithLength(stringLength, type, chunk);
      }
      #decodeVerbatimStringFormat(stringLength, chunk) {
        const formatCb = this.#decodeStringWithLength.bind(this, 3, 1, String);
        return this.#cursor >= chunk.length ? this.#continueDecodeVerbatimStringFormat.bind(this, stringLength, formatCb) : this.#continueDecodeVerbatimStringFormat(stringLength, formatCb, chunk);
      }
      #continueDecodeVerbatimStringFormat(stringLength, formatCb, chunk) {
        const format = formatCb(chunk);
        return typeof format === "function" ? this.#continueDecodeVerbatimStringFormat.bind(this, stringLength, format) : this.#decodeVerbatimStringWithFormat(stringLength, format, chunk);
      }
      #decodeVerbatimStringWithFormat(stringLength, format, chunk) {
        return this.#continueDecodeVerbatimStringWithFormat(format, this.#decodeBlobStringWithLength.bind(this, stringLength, String), chunk);
      }
      #continueDecodeVerbatimStringWithFormat(format, stringCb, chunk) {
        const string = stringCb(chunk);
        return typeof string === "function" ? this.#continueDecodeVerbatimStringWithFormat.bind(this, format, string) : new verbatim_string_1.VerbatimString(format, string);
      }
      #decodeSimpleError(chunk) {
        const string = this.#decodeSimpleString(String, chunk);
        return typeof string === "function" ? this.#continueDecodeSimpleError.bind(this, string) : new errors_1.SimpleError(string);
      }
      #continueDecodeSimpleError(stringCb, chunk) {
        const string = stringCb(chunk);
        return typeof string === "function" ? this.#continueDecodeSimpleError.bind(this, string) : new errors_1.SimpleError(string);
      }
      #decodeBlobError(chunk) {
        const string = this.#decodeBlobString(String, chunk);
        return typeof string === "function" ? this.#continueDecodeBlobError.bind(this, string) : new errors_1.BlobError(string);
      }
      #continueDecodeBlobError(stringCb, chunk) {
        const string = stringCb(chunk);
        return typeof string === "function" ? this.#continueDecodeBlobError.bind(this, string) : new errors_1.BlobError(string);
      }
      #decodeNestedType(typeMapping, chunk) {
        const type = chunk[this.#cursor];
        return ++this.#cursor === chunk.length ? this.#decodeNestedTypeValue.bind(this, type, typeMapping) : this.#decodeNestedTypeValue(type, typeMapping, chunk);
      }
      #decodeNestedTypeValue(type, typeMapping, chunk) {
        switch (type) {
          case exports.RESP_TYPES.NULL:
            return this.#decodeNull();
          case exports.RESP_TYPES.BOOLEAN:
            return this.#decodeBoolean(chunk);
          case exports.RESP_TYPES.NUMBER:
            return this.#decodeNumber(typeMapping[exports.RESP_TYPES.NUMBER], chunk);
          case exports.RESP_TYPES.BIG_NUMBER:
            return this.#decodeBigNumber(typeMapping[exports.RESP_TYPES.BIG_NUMBER], chunk);
          case exports.RESP_TYPES.DOUBLE:
            return this.#decodeDouble(typeMapping[exports.RESP_TYPES.DOUBLE], chunk);
          case exports.RESP_TYPES.SIMPLE_STRING:
            return this.#decodeSimpleString(typeMapping[exports.RESP_TYPES.SIMPLE_STRING], chunk);
          case exports.RESP_TYPES.BLOB_STRING:
            return this.#decodeBlobString(typeMapping[exports.RESP_TYPES.BLOB_STRING], chunk);
          case exports.RESP_TYPES.VERBATIM_STRING:
            return this.#decodeVerbatimString(typeMapping[exports.RESP_TYPES.VERBATIM_STRING], chunk);
          case exports.RESP_TYPES.SIMPLE_ERROR:
            return this.#decodeSimpleError(chunk);
          case exports.RESP_TYPES.BLOB_ERROR:
            return this.#decodeBlobError(chunk);
          case exports.RESP_TYPES.ARRAY:
            return this.#decodeArray(typeMapping, chunk);
          case exports.RESP_TYPES.SET:
            return this.#decodeSet(typeMapping, chunk);
          case exports.RESP_TYPES.MAP:
            return this.#decodeMap(typeMapping, chunk);
          default:
            throw new Error(`Unknown RESP type ${type} "${String.fromCharCode(type)}"`);
        }
      }
      #decodeArray(typeMapping, chunk) {
        if (chunk[this.#cursor] === ASCII["-"]) {
          this.#cursor += 4;
          return null;
        }
        return this.#decodeArrayWithLength(this.#decodeUnsingedNumber(0, chunk), typeMapping, chunk);
      }
      #decodeArrayWithLength(length, typeMapping, chunk) {
        return typeof length === "function" ? this.#continueDecodeArrayLength.bind(this, length, typeMapping) : this.#decodeArrayItems(new Array(length), 0, typeMapping, chunk);
      }
      #continueDecodeArrayLength(lengthCb, typeMapping, chunk) {
        return this.#decodeArrayWithLength(lengthCb(chunk), typeMapping, chunk);
      }
      #decodeArrayItems(array, filled, typeMapping, chunk) {
        for (let i = filled; i < array.length; i++) {
          if (this.#cursor >= chunk.length) {
            return this.#decodeArrayItems.bind(this, array, i, typeMapping);
          }
          const item = this.#decodeNestedType(typeMapping, chunk);
          if (typeof item === "function") {
            return this.#continueDecodeArrayItems.bind(this, array, i, item, typeMapping);
          }
          array[i] = item;
        }
        return array;
      }
      #continueDecodeArrayItems(array, filled, itemCb, typeMapping, chunk) {
        const item = itemCb(chunk);
        if (typeof item === "function") {
          return this.#continueDecodeArrayItems.bind(this, array, filled, item, typeMapping);
        }
        array[filled++] = item;
        return this.#decodeArrayItems(array, filled, typeMapping, chunk);
      }
      #decodeSet(typeMapping, chunk) {
        const length = this.#decodeUnsingedNumber(0, chunk);
        if (typeof length === "function") {
          return this.#continueDecodeSetLength.bind(this, length, typeMapping);
        }
        return this.#decodeSetItems(length, typeMapping, chunk);
      }
      #continueDecodeSetLength(lengthCb, typeMapping, chunk) {
        const length = lengthCb(chunk);
        return typeof length === "function" ? this.#continueDecodeSetLength.bind(this, length, typeMapping) : this.#decodeSetItems(length, typeMapping, chunk);
      }
      #decodeSetItems(length, typeMapping, chunk) {
        return typeMapping[exports.RESP_TYPES.SET] === Set ? this.#decodeSetAsSet(/* @__PURE__ */ new Set(), length, typeMapping, chunk) : this.#decodeArrayItems(new Array(length), 0, typeMapping, chunk);
      }
      #decodeSetAsSet(set, remaining, typeMapping, chunk) {
        while (remaining > 0) {
          if (this.#cursor >= chunk.length) {
            return this.#decodeSetAsSet.bind(this, set, remaining, typeMapping);
          }
          const item = this.#decodeNestedType(typeMapping, chunk);
          if (typeof item === "function") {
            return this.#continueDecodeSetAsSet.bind(this, set, remaining, item, typeMapping);
          }
          set.add(item);
          --remaining;
        }
        return set;
      }
      #continueDecodeSetAsSet(set, remaining, itemCb, typeMapping, chunk) {
        const item = itemCb(chunk);
        if (typeof item === "function") {
          return this.#continueDecodeSetAsSet.bind(this, set, remaining, item, typeMapping);
        }
        set.add(item);
        return this.#decodeSetAsSet(set, remaining - 1, typeMapping, chunk);
      }
      #decodeMap(typeMapping, chunk) {
        const length = this.#decodeUnsingedNumber(0, chunk);
        if (typeof length === "function") {
          return this.#continueDecodeMapLength.bind(this, length, typeMapping);
        }
        return this.#decodeMapItems(length, typeMapping, chunk);
      }
      #continueDecodeMapLength(lengthCb, typeMapping, chunk) {
        const length = lengthCb(chunk);
        return typeof length === "function" ? this.#continueDecodeMapLength.bind(this, length, typeMapping) : this.#decodeMapItems(length, typeMapping, chunk);
      }
      #decodeMapItems(length, typeMapping, chunk) {
        switch (typeMapping[exports.RESP_TYPES.MAP]) {
          case Map:
            return this.#decodeMapAsMap(/* @__PURE__ */ new Map(), length, typeMapping, chunk);
          case Array:
            return this.#decodeArrayItems(new Array(length * 2), 0, typeMapping, chunk);
          default:
            return this.#decodeMapAsObject({}, length, typeMapping, chunk);
        }
      }
      #decodeMapAsMap(map, remaining, typeMapping, chunk) {
        while (remaining > 0) {
          if (this.#cursor >= chunk.length) {
            return this.#decodeMapAsMap.bind(this, map, remaining, typeMapping);
          }
          const key = this.#decodeMapKey(typeMapping, chunk);
          if (typeof key === "function") {
            return this.#continueDecodeMapKey.bind(this, map, remaining, key, typeMapping);
          }
          if (this.#cursor >= chunk.length) {
            return this.#continueDecodeMapValue.bind(this, map, remaining, key, this.#decodeNestedType.bind(this, typeMapping), typeMapping);
          }
          const value = this.#decodeNestedType(typeMapping, chunk);
          if (typeof value === "function") {
            return this.#continueDecodeMapValue.bind(this, map, remaining, key, value, typeMapping);
          }
          map.set(key, value);
          --remaining;
        }
        return map;
      }
      #decodeMapKey(typeMapping, chunk) {
        const type = chunk[this.#cursor];
        return ++this.#cursor === chunk.length ? this.#decodeMapKeyValue.bind(this, type, typeMapping) : this.#decodeMapKeyValue(type, typeMapping, chunk);
      }
      #decodeMapKeyValue(type, typeMapping, chunk) {
        switch (type) {
          // decode simple string map key as string (and not as buffer)
          case exports.RESP_TYPES.SIMPLE_STRING:
            return this.#decodeSimpleString(String, chunk);
          // decode blob string map key as string (and not as buffer)
          case exports.RESP_TYPES.BLOB_STRING:
            return this.#decodeBlobString(String, chunk);
          default:
            return this.#decodeNestedTypeValue(type, typeMapping, chunk);
        }
      }
      #continueDecodeMapKey(map, remaining, keyCb, typeMapping, chunk) {
        const key = keyCb(chunk);
        if (typeof key === "function") {
          return this.#continueDecodeMapKey.bind(this, map, remaining, key, typeMapping);
        }
        if (this.#cursor >= chunk.length) {
          return this.#continueDecodeMapValue.bind(this, map, remaining, key, this.#decodeNestedType.bind(this, typeMapping), typeMapping);
        }
        const value = this.#decodeNestedType(typeMapping, chunk);
        if (typeof value === "function") {
          return this.#continueDecodeMapValue.bind(this, map, remaining, key, value, typeMapping);
        }
        map.set(key, value);
        return this.#decodeMapAsMap(map, remaining - 1, typeMapping, chunk);
      }
      #continueDecodeMapValue(map, remaining, key, valueCb, typeMapping, chunk) {
        const value = valueCb(chunk);
        if (typeof value === "function") {
          return this.#continueDecodeMapValue.bind(this, map, remaining, key, value, typeMapping);
        }
        map.set(key, value);
        return this.#decodeMapAsMap(map, remaining - 1, typeMapping, chunk);
      }
      #decodeMapAsObject(object, remaining, typeMapping, chunk) {
        while (remaining > 0) {
          if (this.#cursor >= chunk.length) {
            return this.#decodeMapAsObject.bind(this, object, remaining, typeMapping);
          }
          const key = this.#decodeMapKey(typeMapping, chunk);
          if (typeof key === "function") {
            return this.#continueDecodeMapAsObjectKey.bind(this, object, remaining, key, typeMapping);
          }
          if (this.#cursor >= chunk.length) {
            return this.#continueDecodeMapAsObjectValue.bind(this, object, remaining, key, this.#decodeNestedType.bind(this, typeMapping), typeMapping);
          }
          const value = this.#decodeNestedType(typeMapping, chunk);
          if (typeof value === "function") {
            return this.#continueDecodeMapAsObjectValue.bind(this, object, remaining, key, value, typeMapping);
          }
          object[key] = value;
          --remaining;
        }
        return object;
      }
      #continueDecodeMapAsObjectKey(object, remaining, keyCb, typeMapping, chunk) {
        const key = keyCb(chunk);
        if (typeof key === "function") {
          return this.#continueDecodeMapAsObjectKey.bind(this, object, remaining, key, typeMapping);
        }
        if (this.#cursor >= chunk.length) {
          return this.#continueDecodeMapAsObjectValue.bind(this, object, remaining, key, this.#decodeNestedType.bind(this, typeMapping), typeMapping);
        }
        const value = this.#decodeNestedType(typeMapping, chunk);
        if (typeof value === "function") {
          return this.#continueDecodeMapAsObjectValue.bind(this, object, remaining, key, value, typeMapping);
        }
        object[key] = value;
        return this.#decodeMapAsObject(object, remaining - 1, typeMapping, chunk);
      }
      #continueDecodeMapAsObjectValue(object, remaining, key, valueCb, typeMapping, chunk) {
        const value = valueCb(chunk);
        if (typeof value === "function") {
          return this.#continueDecodeMapAsObjectValue.bind(this, object, remaining, key, value, typeMapping);
        }
        object[key] = value;
        return this.#decodeMapAsObject(object, remaining - 1, typeMapping, chunk);
      }
    };
    exports.Decoder = Decoder;
  }
});

// dist/lib/RESP/types.js
var require_types = __commonJS({
  "dist/lib/RESP/types.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.DEFAULT_RESP = void 0;
    var decoder_1 = require_decoder();
    exports.DEFAULT_RESP = 3;
  }
});

// dist/lib/lua-script.js
var require_lua_script = __commonJS({
  "dist/lib/lua-script.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.scriptSha1 = exports.defineScript = void 0;
    var node_crypto_1 = __require("node:crypto");
    function defineScript(script) {
      return {
        ...script,
        SHA1: scriptSha1(script.SCRIPT)
      };
    }
    exports.defineScript = defineScript;
    function scriptSha1(script) {
      return (0, node_crypto_1.createHash)("sha1").update(script).digest("hex");
    }
    exports.scriptSha1 = scriptSha1;
  }
});

// optional:@node-rs/xxhash
var require_xxhash = __commonJS({
  "optional:@node-rs/xxhash"() {
    throw new Error("@node-rs/xxhash is not bundled");
  }
});

// dist/lib/utils/digest.js
var require_digest = __commonJS({
  "dist/lib/utils/digest.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.digest = void 0;
    var xxh3Cache = null;
    async function getXxh3() {
      if (!xxh3Cache) {
        try {
          const module2 = await Promise.resolve().then(() => __toESM(require_xxhash()));
          xxh3Cache = module2.xxh3;
        } catch {
          throw new Error('The "digest" function requires the "@node-rs/xxhash" package, but it was not found.');
        }
      }
      return xxh3Cache;
    }
    async function digest(value) {
      const xxh3 = await getXxh3();
      const data = typeof value === "string" ? value : new Uint8Array(value);
      const hash = xxh3.xxh64(data);
      return hash.toString(16).padStart(16, "0");
    }
    exports.digest = digest;
  }
});

// dist/lib/commands/AUTH.js
var require_AUTH = __commonJS({
  "dist/lib/commands/AUTH.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {
      IS_READ_ONLY: true,
      parseCommand(parser, { username, password }) {
        parser.push("AUTH");
        if (username !== void 0) {
          parser.push(username);
        }
        parser.push(password);
      },
      transformReply: void 0
    };
  }
});

// dist/lib/commands/CLIENT_SETNAME.js
var require_CLIENT_SETNAME = __commonJS({
  "dist/lib/commands/CLIENT_SETNAME.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {
      IS_READ_ONLY: true,
      parseCommand(parser, name) {
        parser.push("CLIENT", "SETNAME", name);
      },
      transformReply: void 0
    };
  }
});

// dist/lib/commands/READONLY.js
var require_READONLY = __commonJS({
  "dist/lib/commands/READONLY.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {
      IS_READ_ONLY: true,
      parseCommand(parser) {
        parser.push("READONLY");
      },
      transformReply: void 0
    };
  }
});

// dist/lib/commands/CLUSTER_SLOTS.js
var require_CLUSTER_SLOTS = __commonJS({
  "dist/lib/commands/CLUSTER_SLOTS.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {
      IS_READ_ONLY: true,
      parseCommand(parser) {
        parser.push("CLUSTER", "SLOTS");
      },
      transformReply(reply) {
        return reply.map(([from, to, master, ...replicas]) => ({
          from,
          to,
          master: transformNode(master),
          replicas: replicas.map(transformNode)
        }));
      }
    };
    function transformNode(node) {
      const [host, port, id] = node;
      return {
        host,
        port,
        id
      };
    }
  }
});

// dist/lib/commands/index.js
var require_commands = __commonJS({
  "dist/lib/commands/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    var AUTH_1 = require_AUTH();
    var CLIENT_SETNAME_1 = require_CLIENT_SETNAME();
    var READONLY_1 = require_READONLY();
    var CLUSTER_SLOTS_1 = require_CLUSTER_SLOTS();
    exports.default = {
      AUTH: AUTH_1.default,
      auth: AUTH_1.default,
      CLIENT_SETNAME: CLIENT_SETNAME_1.default,
      clientSetname: CLIENT_SETNAME_1.default,
      READONLY: READONLY_1.default,
      readonly: READONLY_1.default,
      CLUSTER_SLOTS: CLUSTER_SLOTS_1.default,
      clusterSlots: CLUSTER_SLOTS_1.default
    };
    exports.NON_STICKY_COMMANDS = exports.default;
  }
});

// dist/lib/client/tracing.js
var require_tracing = __commonJS({
  "dist/lib/client/tracing.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.publish = exports.getChannel = exports.trace = exports.getTracingChannel = exports.sanitizeArgs = exports.CHANNELS = void 0;
    var dc = (() => {
      try {
        return "getBuiltinModule" in process ? process.getBuiltinModule("node:diagnostics_channel") : __require("node:diagnostics_channel");
      } catch {
        return void 0;
      }
    })();
    var hasTracingChannel = typeof dc?.tracingChannel === "function";
    exports.CHANNELS = {
      // TracingChannel (async lifecycle)
      TRACE_COMMAND: "node-redis:command",
      TRACE_BATCH: "node-redis:batch",
      TRACE_CONNECT: "node-redis:connect",
      // Point events (fire-and-forget)
      CONNECTION_READY: "node-redis:connection:ready",
      CONNECTION_CLOSED: "node-redis:connection:closed",
      CONNECTION_RELAXED_TIMEOUT: "node-redis:connection:relaxed-timeout",
      CONNECTION_HANDOFF: "node-redis:connection:handoff",
      ERROR: "node-redis:error",
      MAINTENANCE: "node-redis:maintenance",
      PUBSUB: "node-redis:pubsub",
      CACHE_REQUEST: "node-redis:cache:request",
      CACHE_EVICTION: "node-redis:cache:eviction",
      COMMAND_REPLY: "node-redis:command:reply",
      POOL_CONNECTION_WAIT: "node-redis:pool:connection-wait"
    };
    var SERIALIZATION_SUBSETS = [
      { regex: /^ECHO/i, args: 0 },
      { regex: /^(LPUSH|MSET|PFA|PUBLISH|RPUSH|SADD|SET|SPUBLISH|XADD|ZADD)/i, args: 1 },
      { regex: /^(HSET|HMSET|LSET|LINSERT)/i, args: 2 },
      { regex: /^(ACL|BIT|B[LRZ]|CLIENT|CLUSTER|CONFIG|COMMAND|DECR|DEL|EVAL|EX|FUNCTION|GEO|GET|HINCR|HMGET|HSCAN|INCR|L[TRLM]|MEMORY|P[EFISTU]|RPOP|S[CDIMORSU]|XACK|X[CDGILPRT]|Z[CDILMPRS])/i, args: -1 }
    ];
    function sanitizeArgs(args) {
      if (args.length === 0)
        return [];
      const commandName = String(args[0]);
      let allowedArgCount = 0;
      for (const subset of SERIALIZATION_SUBSETS) {
        if (subset.regex.test(commandName)) {
          allowedArgCount = subset.args;
          break;
        }
      }
      if (allowedArgCount === -1) {
        return args.map((a) => String(a));
      }
      const result = [commandName];
      for (let i = 1; i < args.length; i++) {
        if (i <= allowedArgCount) {
          result.push(String(args[i]));
        } else {
          result.push("?");
        }
      }
      return result;
    }
    exports.sanitizeArgs = sanitizeArgs;
    var tracingChannels = hasTracingChannel ? {
      [exports.CHANNELS.TRACE_COMMAND]: dc.tracingChannel(exports.CHANNELS.TRACE_COMMAND),
      [exports.CHANNELS.TRACE_BATCH]: dc.tracingChannel(exports.CHANNELS.TRACE_BATCH),
      [exports.CHANNELS.TRACE_CONNECT]: dc.tracingChannel(exports.CHANNELS.TRACE_CONNECT)
    } : void 0;
    function getTracingChannel(name) {
      return tracingChannels?.[name];
    }
    exports.getTracingChannel = getTracingChannel;
    function trace(name, fn, contextFactory) {
      const channel = tracingChannels?.[name];
      if (channel && channel.hasSubscribers !== false) {
        return channel.tracePromise(fn, contextFactory());
      }
      return fn();
    }
    exports.trace = trace;
    var pointChannels = dc?.channel ? {
      [exports.CHANNELS.CONNECTION_READY]: dc.channel(exports.CHANNELS.CONNECTION_READY),
      [exports.CHANNELS.CONNECTION_CLOSED]: dc.channel(exports.CHANNELS.CONNECTION_CLOSED),
      [exports.CHANNELS.CONNECTION_RELAXED_TIMEOUT]: dc.channel(exports.CHANNELS.CONNECTION_RELAXED_TIMEOUT),
      [exports.CHANNELS.CONNECTION_HANDOFF]: dc.channel(exports.CHANNELS.CONNECTION_HANDOFF),
      [exports.CHANNELS.ERROR]: dc.channel(exports.CHANNELS.ERROR),
      [exports.CHANNELS.MAINTENANCE]: dc.channel(exports.CHANNELS.MAINTENANCE),
      [exports.CHANNELS.PUBSUB]: dc.channel(exports.CHANNELS.PUBSUB),
      [exports.CHANNELS.CACHE_REQUEST]: dc.channel(exports.CHANNELS.CACHE_REQUEST),
      [exports.CHANNELS.CACHE_EVICTION]: dc.channel(exports.CHANNELS.CACHE_EVICTION),
      [exports.CHANNELS.COMMAND_REPLY]: dc.channel(exports.CHANNELS.COMMAND_REPLY),
      [exports.CHANNELS.POOL_CONNECTION_WAIT]: dc.channel(exports.CHANNELS.POOL_CONNECTION_WAIT)
    } : void 0;
    function getChannel(name) {
      return pointChannels?.[name];
    }
    exports.getChannel = getChannel;
    function publish(name, factory) {
      const ch = pointChannels?.[name];
      if (ch?.hasSubscribers) {
        ch.publish(factory());
      }
    }
    exports.publish = publish;
  }
});

// dist/lib/client/enterprise-maintenance-manager.js
var require_enterprise_maintenance_manager = __commonJS({
  "dist/lib/client/enterprise-maintenance-manager.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    var _a;
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.emitDiagnostics = exports.dbgMaintenance = exports.MAINTENANCE_EVENTS = exports.SMIGRATED_EVENT = void 0;
    var net_1 = __require("net");
    var promises_1 = __require("dns/promises");
    var node_assert_1 = __importDefault(__require("node:assert"));
    var promises_2 = __require("node:timers/promises");
    var node_diagnostics_channel_1 = __importDefault(__require("node:diagnostics_channel"));
    var types_1 = require_types();
    var tracing_1 = require_tracing();
    exports.SMIGRATED_EVENT = "__SMIGRATED";
    exports.MAINTENANCE_EVENTS = {
      PAUSE_WRITING: "pause-writing",
      RESUME_WRITING: "resume-writing",
      TIMEOUTS_UPDATE: "timeouts-update"
    };
    var PN = {
      MOVING: "MOVING",
      MIGRATING: "MIGRATING",
      MIGRATED: "MIGRATED",
      FAILING_OVER: "FAILING_OVER",
      FAILED_OVER: "FAILED_OVER",
      SMIGRATING: "SMIGRATING",
      SMIGRATED: "SMIGRATED"
    };
    var dbgMaintenance = (...args) => {
      if (!process.env.REDIS_DEBUG_MAINTENANCE)
        return;
      return console.log((/* @__PURE__ */ new Date()).toISOString().slice(11, 23), "[MNT]", ...args);
    };
    exports.dbgMaintenance = dbgMaintenance;
    var emitDiagnostics = (event) => {
      if (!process.env.REDIS_EMIT_DIAGNOSTICS)
        return;
      const channel = node_diagnostics_channel_1.default.channel("redis.maintenance");
      channel.publish(event);
    };
    exports.emitDiagnostics = emitDiagnostics;
    var EnterpriseMaintenanceManager = class {
      #commandsQueue;
      #options;
      #isMaintenance = 0;
      #client;
      static setupDefaultMaintOptions(options) {
        if (options.maintNotifications === void 0) {
          options.maintNotifications = (options?.RESP ?? types_1.DEFAULT_RESP) === 3 ? "auto" : "disabled";
        }
        if (options.maintEndpointType === void 0) {
          options.maintEndpointType = "auto";
        }
        if (options.maintRelaxedSocketTimeout === void 0) {
          options.maintRelaxedSocketTimeout = 1e4;
        }
        if (options.maintRelaxedCommandTimeout === void 0) {
          options.maintRelaxedCommandTimeout = 1e4;
        }
      }
      static async getHandshakeCommand(options, clientId) {
        if (options.maintNotifications === "disabled")
          return;
        const host = options.url ? new URL(options.url).hostname : options.socket?.host;
        if (!host)
          return;
        const tls = options.socket?.tls ?? false;
        const movingEndpointType = await determineEndpoint(tls, host, options);
        return {
          cmd: [
            "CLIENT",
            "MAINT_NOTIFICATIONS",
            "ON",
            "moving-endpoint-type",
            movingEndpointType
          ],
          errorHandler: (error) => {
            (0, exports.dbgMaintenance)("handshake failed:", error);
            if (options.maintNotifications === "enabled") {
              (0, tracing_1.publish)(tracing_1.CHANNELS.ERROR, () => ({
                error,
                origin: "client",
                internal: true,
                clientId
              }));
              throw error;
            }
          }
        };
      }
      constructor(commandsQueue, client, options) {
        this.#commandsQueue = commandsQueue;
        this.#options = options;
        this.#client = client;
        this.#commandsQueue.addPushHandler(this.#onPush);
      }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- heterogeneous push payload
      #onPush = (push) => {
        (0, exports.dbgMaintenance)("ONPUSH:", push.map(String));
        if (!Array.isArray(push) || !Object.values(PN).includes(String(push[0]))) {
          return false;
        }
        const type = String(push[0]);
        (0, tracing_1.publish)(tracing_1.CHANNELS.MAINTENANCE, () => ({
          notification: type,
          clientId: this.#client._clientId
        }));
        (0, exports.emitDiagnostics)({
          type,
          timestamp: Date.now(),
          data: {
            push: push.map(String)
          }
        });
        switch (type) {
          case PN.MOVING: {
            const afterSeconds = push[2];
            const url = push[3] ? String(push[3]) : null;
            (0, exports.dbgMaintenance)("Received MOVING:", afterSeconds, url);
            this.#onMoving(afterSeconds, url);
            return true;
          }
          case PN.MIGRATING:
          case PN.SMIGRATING:
          case PN.FAILING_OVER: {
            (0, exports.dbgMaintenance)("Received MIGRATING|SMIGRATING|FAILING_OVER");
            this.#onMigrating();
            return true;
          }
          case PN.MIGRATED:
          case PN.FAILED_OVER: {
            (0, exports.dbgMaintenance)("Received MIGRATED|FAILED_OVER");
            this.#onMigrated();
            return true;
          }
          case PN.SMIGRATED: {
            (0, exports.dbgMaintenance)("Received SMIGRATED");
            this.#onSMigrated(push);
            this.#onMigrated();
            return true;
          }
        }
        return false;
      };
      //  Queue:
      //     toWrite [ C D E ]
      //     waitingForReply [ A B ]   - aka In-flight commands
      //
      //  time: ---1-2---3-4-5-6---------------------------
      //
      //  1. [EVENT] MOVING PN received
      //  2. [ACTION] Pause writing ( we need to wait for new socket to connect and for all in-flight commands to complete )
      //  3. [EVENT] New socket connected
      //  4. [EVENT] In-flight commands completed
      //  5. [ACTION] Destroy old socket
      //  6. [ACTION] Resume writing -> we are going to write to the new socket from now on
      #onMoving = async (afterSeconds, url) => {
        this.#onMigrating();
        let host;
        let port;
        if (url === null) {
          (0, node_assert_1.default)(this.#options.maintEndpointType === "none");
          const { host: h, port: p } = this.#getAddress();
          host = h;
          port = p;
          const waitTime = afterSeconds * 1e3 / 2;
          (0, exports.dbgMaintenance)(`Wait for ${waitTime}ms`);
          await (0, promises_2.setTimeout)(waitTime);
        } else {
          const split = url.split(":");
          host = split[0];
          port = Number(split[1]);
        }
        (0, exports.dbgMaintenance)("Pausing writing of new commands to old socket");
        this.#client._pause();
        (0, exports.dbgMaintenance)("Creating new tmp client");
        let start = performance.now();
        if (this.#options.url) {
          const u = new URL(this.#options.url);
          u.hostname = host;
          u.port = String(port);
          this.#options.url = u.toString();
        } else {
          this.#options.socket = {
            ...this.#options.socket,
            host,
            port
          };
        }
        const tmpClient = this.#client.duplicate();
        tmpClient.on("error", (error) => {
          (0, exports.dbgMaintenance)(`[ERR]`, error);
        });
        (0, exports.dbgMaintenance)(`Tmp client created in ${(performance.now() - start).toFixed(2)}ms`);
        (0, exports.dbgMaintenance)(`Set timeout for tmp client to ${this.#options.maintRelaxedSocketTimeout}`);
        tmpClient._maintenanceUpdate({
          relaxedCommandTimeout: this.#options.maintRelaxedCommandTimeout,
          relaxedSocketTimeout: this.#options.maintRelaxedSocketTimeout
        });
        (0, exports.dbgMaintenance)(`Connecting tmp client: ${host}:${port}`);
        start = performance.now();
        await tmpClient.connect();
        (0, exports.dbgMaintenance)(`Connected to tmp client in ${(performance.now() - start).toFixed(2)}ms`);
        (0, exports.dbgMaintenance)(`Wait for all in-flight commands to complete`);
        await this.#commandsQueue.waitForInflightCommandsToComplete();
        (0, exports.dbgMaintenance)(`In-flight commands completed`);
        (0, exports.dbgMaintenance)("Swap client sockets...");
        const oldSocket = this.#client._ejectSocket();
        const newSocket = tmpClient._ejectSocket();
        this.#client._insertSocket(newSocket);
        tmpClient._insertSocket(oldSocket);
        tmpClient.destroy();
        (0, exports.dbgMaintenance)("Swap client sockets done.");
        (0, exports.dbgMaintenance)("Resume writing");
        this.#client._unpause();
        this.#onMigrated();
        (0, tracing_1.publish)(tracing_1.CHANNELS.CONNECTION_HANDOFF, () => ({ clientId: this.#client._clientId }));
      };
      #onMigrating = () => {
        this.#isMaintenance++;
        if (this.#isMaintenance > 1) {
          (0, exports.dbgMaintenance)(`Timeout relaxation already done`);
          return;
        }
        const update = {
          relaxedCommandTimeout: this.#options.maintRelaxedCommandTimeout,
          relaxedSocketTimeout: this.#options.maintRelaxedSocketTimeout
        };
        this.#client._maintenanceUpdate(update);
      };
      #onMigrated = () => {
        this.#isMaintenance = Math.max(this.#isMaintenance - 1, 0);
        if (this.#isMaintenance > 0) {
          (0, exports.dbgMaintenance)(`Not ready to unrelax timeouts yet`);
          return;
        }
        const update = {
          relaxedCommandTimeout: void 0,
          relaxedSocketTimeout: void 0
        };
        this.#client._maintenanceUpdate(update);
      };
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- heterogeneous push payload
      #onSMigrated = (push) => {
        const smigratedEvent = _a.parseSMigratedPush(push);
        (0, exports.dbgMaintenance)(`emit smigratedEvent`, smigratedEvent);
        this.#client._handleSmigrated(smigratedEvent);
      };
      /**
       * Parses an SMIGRATED push message into a structured SMigratedEvent.
       *
       * SMIGRATED format:
       * - SMIGRATED, "seqid", followed by a list of N triplets:
       *     - source endpoint
       *     - target endpoint
       *     - comma separated list of slot ranges
       *
       * A source and a target endpoint may appear in multiple triplets.
       * There is no optimization of the source, dest, slot-range list in the SMIGRATED message.
       * The client code should read through the entire list of triplets in order to get a full
       * list of moved slots, or full list of sources and targets.
       *
       * Example:
       * [ 'SMIGRATED', 15, [ [ '127.0.0.1:6379', '127.0.0.2:6379', '123,456,789-1000' ], [ '127.0.0.3:6380', '127.0.0.4:6380', '124,457,300-500' ] ] ]
       *                ^seq     ^source1          ^destination1     ^slots                  ^source2          ^destination2    ^slots
       *
       * Result structure guarantees:
       * - Each source address appears in exactly one entry (entries are deduplicated by source)
       * - Within each entry, each destination address appears exactly once (destinations are deduplicated per source)
       * - Each destination contains the complete list of slots that moved from that source to that destination
       * - Note: The same destination address CAN appear under different sources (e.g., node X receives slots from both A and B)
       */
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- heterogeneous push payload
      static parseSMigratedPush(push) {
        const map = /* @__PURE__ */ new Map();
        for (const [src, destination, slots] of push[2]) {
          const source = String(src);
          const [dHost, dPort] = String(destination).split(":");
          const parsedSlots = String(slots).split(",").map((singleOrRange) => {
            const separatorIndex = singleOrRange.indexOf("-");
            if (separatorIndex === -1) {
              return Number(singleOrRange);
            }
            return [Number(singleOrRange.substring(0, separatorIndex)), Number(singleOrRange.substring(separatorIndex + 1))];
          });
          const destinations = map.get(source) ?? [];
          const dest = destinations.find((d) => d.addr.host === dHost && d.addr.port === Number(dPort));
          if (dest) {
            dest.slots = dest.slots.concat(parsedSlots);
          } else {
            destinations.push({
              addr: {
                host: dHost,
                port: Number(dPort)
              },
              slots: parsedSlots
            });
          }
          map.set(source, destinations);
        }
        const entries = [];
        for (const [src, destinations] of map.entries()) {
          const [host, port] = src.split(":");
          entries.push({
            source: {
              host,
              port: Number(port)
            },
            destinations
          });
        }
        return {
          seqId: push[1],
          entries
        };
      }
      #getAddress() {
        (0, node_assert_1.default)(this.#options.socket !== void 0);
        (0, node_assert_1.default)("host" in this.#options.socket);
        (0, node_assert_1.default)(typeof this.#options.socket.host === "string");
        const host = this.#options.socket.host;
        (0, node_assert_1.default)(typeof this.#options.socket.port === "number");
        const port = this.#options.socket.port;
        return { host, port };
      }
    };
    _a = EnterpriseMaintenanceManager;
    exports.default = EnterpriseMaintenanceManager;
    function isPrivateIP(ip) {
      const version = (0, net_1.isIP)(ip);
      if (version === 4) {
        const octets = ip.split(".").map(Number);
        return octets[0] === 10 || octets[0] === 172 && octets[1] >= 16 && octets[1] <= 31 || octets[0] === 192 && octets[1] === 168;
      }
      if (version === 6) {
        return ip.startsWith("fc") || // Unique local
        ip.startsWith("fd") || // Unique local
        ip === "::1" || // Loopback
        ip.startsWith("fe80");
      }
      return false;
    }
    async function determineEndpoint(tlsEnabled, host, options) {
      (0, node_assert_1.default)(options.maintEndpointType !== void 0);
      if (options.maintEndpointType !== "auto") {
        (0, exports.dbgMaintenance)(`Determine endpoint type: ${options.maintEndpointType}`);
        return options.maintEndpointType;
      }
      const ip = (0, net_1.isIP)(host) ? host : (await (0, promises_1.lookup)(host, { family: 0 })).address;
      const isPrivate = isPrivateIP(ip);
      let result;
      if (tlsEnabled) {
        result = isPrivate ? "internal-fqdn" : "external-fqdn";
      } else {
        result = isPrivate ? "internal-ip" : "external-ip";
      }
      (0, exports.dbgMaintenance)(`Determine endpoint type: ${result}`);
      return result;
    }
  }
});

// dist/lib/defaults.js
var require_defaults = __commonJS({
  "dist/lib/defaults.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.DEFAULT_COMMAND_TIMEOUT = exports.DEFAULT_KEEPALIVE_INITIAL_DELAY = void 0;
    exports.DEFAULT_KEEPALIVE_INITIAL_DELAY = 3e4;
    exports.DEFAULT_COMMAND_TIMEOUT = 5e3;
  }
});

// dist/lib/client/socket.js
var require_socket = __commonJS({
  "dist/lib/client/socket.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    var node_events_1 = __require("node:events");
    var node_net_1 = __importDefault(__require("node:net"));
    var node_tls_1 = __importDefault(__require("node:tls"));
    var errors_1 = require_errors();
    var promises_1 = __require("node:timers/promises");
    var enterprise_maintenance_manager_1 = require_enterprise_maintenance_manager();
    var tracing_1 = require_tracing();
    var defaults_1 = require_defaults();
    var RedisSocket = class extends node_events_1.EventEmitter {
      #initiator;
      #connectTimeout;
      #reconnectStrategy;
      #socketFactory;
      #socketTimeout;
      #clientId;
      #maintenanceTimeout;
      #socket;
      #isOpen = false;
      get isOpen() {
        return this.#isOpen;
      }
      #isReady = false;
      get isReady() {
        return this.#isReady;
      }
      #isSocketUnrefed = false;
      #socketEpoch = 0;
      get socketEpoch() {
        return this.#socketEpoch;
      }
      get host() {
        return this.#socket?.remoteAddress;
      }
      get port() {
        return this.#socket?.remotePort;
      }
      constructor(initiator, clientId, options) {
        super();
        this.#initiator = initiator;
        this.#connectTimeout = options?.connectTimeout ?? 5e3;
        this.#reconnectStrategy = this.#createReconnectStrategy(options);
        this.#socketFactory = this.#createSocketFactory(options);
        this.#socketTimeout = options?.socketTimeout;
        this.#clientId = clientId;
      }
      #createReconnectStrategy(options) {
        const strategy = options?.reconnectStrategy;
        if (strategy === false || typeof strategy === "number") {
          return () => ({ retryIn: strategy });
        }
        if (strategy) {
          return (retries, cause) => {
            try {
              const retryIn = strategy(retries, cause);
              if (retryIn !== false && !(retryIn instanceof Error) && typeof retryIn !== "number") {
                throw new TypeError(`Reconnect strategy should return \`false | Error | number\`, got ${retryIn} instead`);
              }
              return { retryIn };
            } catch (err) {
              return {
                retryIn: this.defaultReconnectStrategy(retries, err),
                error: err
              };
            }
          };
        }
        return (retries, cause) => ({ retryIn: this.defaultReconnectStrategy(retries, cause) });
      }
      #createSocketFactory(options) {
        if (options?.tls === true) {
          const withDefaults2 = {
            ...options,
            port: options?.port ?? 6379,
            // https://nodejs.org/api/tls.html#tlsconnectoptions-callback "Any socket.connect() option not already listed"
            // @types/node is... incorrect...
            // @ts-expect-error - @types/node omits socket.connect noDelay.
            noDelay: options?.noDelay ?? true,
            // @ts-expect-error - @types/node omits socket.connect keepAlive.
            keepAlive: options?.keepAlive ?? true,
            // @ts-expect-error - @types/node omits socket.connect keepAliveInitialDelay.
            keepAliveInitialDelay: options?.keepAliveInitialDelay ?? defaults_1.DEFAULT_KEEPALIVE_INITIAL_DELAY,
            timeout: void 0,
            onread: void 0,
            readable: true,
            writable: true
          };
          return {
            create() {
              return node_tls_1.default.connect(withDefaults2);
            },
            event: "secureConnect"
          };
        }
        if (options && "path" in options) {
          const withDefaults2 = {
            ...options,
            timeout: void 0,
            onread: void 0,
            readable: true,
            writable: true
          };
          return {
            create() {
              return node_net_1.default.createConnection(withDefaults2);
            },
            event: "connect"
          };
        }
        const withDefaults = {
          ...options,
          port: options?.port ?? 6379,
          noDelay: options?.noDelay ?? true,
          keepAlive: options?.keepAlive ?? true,
          keepAliveInitialDelay: options?.keepAliveInitialDelay ?? defaults_1.DEFAULT_KEEPALIVE_INITIAL_DELAY,
          timeout: void 0,
          onread: void 0,
          readable: true,
          writable: true
        };
        return {
          create() {
            return node_net_1.default.createConnection(withDefaults);
          },
          event: "connect"
        };
      }
      /**
       * The single choke point where `reconnectStrategy` giving up (`false` or an
       * `Error`) is handled: closes the socket for good and emits `'terminated'`
       * so a caller reacting only to `'error'` — which also fires on every
       * *retried* disconnect — can tell "still retrying" apart from "reconnection
       * has permanently stopped, the client is unusable from here on".
       */
      #shouldReconnect(retries, cause) {
        const { retryIn, error: strategyError } = this.#reconnectStrategy(retries, cause);
        if (retryIn === false) {
          this.#isOpen = false;
          this.emit("terminated", cause);
          this.#emitError(cause);
          return { retryIn: cause, strategyError };
        } else if (retryIn instanceof Error) {
          this.#isOpen = false;
          const terminatedBy = new errors_1.ReconnectStrategyError(retryIn, cause);
          this.emit("terminated", terminatedBy);
          this.#emitError(cause);
          return { retryIn: terminatedBy, strategyError };
        }
        return { retryIn, strategyError };
      }
      #emitError(err) {
        (0, tracing_1.publish)(tracing_1.CHANNELS.ERROR, () => ({
          error: err,
          origin: "client",
          internal: false,
          clientId: this.#clientId
        }));
        this.emit("error", err);
      }
      async connect() {
        if (this.#isOpen) {
          throw new Error("Socket already opened");
        }
        this.#isOpen = true;
        return this.#connect();
      }
      async #connect(retries = 0) {
        do {
          try {
            const connectStartTime = performance.now();
            const socket = this.#socket = await this.#createSocket();
            this.emit("connect");
            try {
              await this.#initiateWhileSocketAlive(socket);
              if (!this.#socket || this.#socket.destroyed || !this.#socket.readable || !this.#socket.writable) {
                const error = new errors_1.SocketClosedUnexpectedlyError();
                const { retryIn, strategyError } = this.#shouldReconnect(retries++, error);
                if (typeof retryIn !== "number") {
                  throw retryIn;
                }
                this.#emitError(error);
                if (strategyError)
                  this.#emitError(strategyError);
                if (!this.#isOpen)
                  throw new errors_1.ClientClosedError();
                await (0, promises_1.setTimeout)(retryIn);
                if (!this.#isOpen)
                  throw new errors_1.ClientClosedError();
                this.emit("reconnecting");
                continue;
              }
            } catch (err) {
              this.#socket?.destroy();
              this.#socket = void 0;
              throw err;
            }
            this.#isReady = true;
            this.#socketEpoch++;
            (0, tracing_1.publish)(tracing_1.CHANNELS.CONNECTION_READY, () => ({
              clientId: this.#clientId,
              serverAddress: this.host,
              serverPort: this.port,
              createTimeMs: performance.now() - connectStartTime
            }));
            this.emit("ready");
          } catch (err) {
            if (!this.#isOpen)
              throw err;
            const { retryIn, strategyError } = this.#shouldReconnect(retries++, err);
            if (typeof retryIn !== "number") {
              throw retryIn;
            }
            this.#emitError(err);
            if (strategyError)
              this.#emitError(strategyError);
            if (!this.#isOpen)
              throw err;
            await (0, promises_1.setTimeout)(retryIn);
            if (!this.#isOpen)
              throw err;
            this.emit("reconnecting");
          }
        } while (this.#isOpen && !this.#isReady);
      }
      /**
       * Awaits the initiator, rejecting as soon as the socket errors or closes.
       * If the socket dies while the initiator is suspended (e.g. on DNS
       * resolution or an async credentials provider), commands it enqueues
       * afterwards are never written nor flushed — without this guard `#connect`
       * would stay suspended forever without emitting a terminal event.
       */
      #initiateWhileSocketAlive(socket) {
        let onSocketDied;
        const socketDied = new Promise((_, reject) => {
          onSocketDied = (err) => {
            reject(err instanceof Error ? err : new errors_1.SocketClosedUnexpectedlyError());
          };
          socket.once("error", onSocketDied);
          socket.once("close", onSocketDied);
        });
        const initiated = Promise.resolve().then(() => this.#initiator());
        initiated.catch(() => {
        });
        return Promise.race([initiated, socketDied]).finally(() => {
          socket.removeListener("error", onSocketDied);
          socket.removeListener("close", onSocketDied);
        });
      }
      setMaintenanceTimeout(ms) {
        (0, enterprise_maintenance_manager_1.dbgMaintenance)(`Set socket timeout to ${ms}`);
        if (this.#maintenanceTimeout === ms) {
          (0, enterprise_maintenance_manager_1.dbgMaintenance)(`Socket already set maintenanceCommandTimeout to ${ms}, skipping`);
          return;
        }
        ;
        this.#maintenanceTimeout = ms;
        if (ms !== void 0) {
          this.#socket?.setTimeout(ms);
          (0, tracing_1.publish)(tracing_1.CHANNELS.CONNECTION_RELAXED_TIMEOUT, () => ({ clientId: this.#clientId, value: 1 }));
        } else {
          this.#socket?.setTimeout(this.#socketTimeout ?? 0);
          (0, tracing_1.publish)(tracing_1.CHANNELS.CONNECTION_RELAXED_TIMEOUT, () => ({ clientId: this.#clientId, value: -1 }));
        }
      }
      async #createSocket() {
        const socket = this.#socketFactory.create();
        let onTimeout;
        if (this.#connectTimeout !== void 0) {
          onTimeout = () => socket.destroy(new errors_1.ConnectionTimeoutError());
          socket.once("timeout", onTimeout);
          socket.setTimeout(this.#connectTimeout);
        }
        if (this.#isSocketUnrefed) {
          socket.unref();
        }
        await (0, node_events_1.once)(socket, this.#socketFactory.event);
        if (onTimeout) {
          socket.removeListener("timeout", onTimeout);
        }
        if (this.#socketTimeout) {
          socket.once("timeout", () => {
            const error = this.#maintenanceTimeout ? new errors_1.SocketTimeoutDuringMaintenanceError(this.#maintenanceTimeout) : new errors_1.SocketTimeoutError(this.#socketTimeout);
            socket.destroy(error);
          });
          socket.setTimeout(this.#socketTimeout);
        }
        socket.once("error", (err) => this.#onSocketError(err)).once("close", (hadError) => {
          if (hadError || !this.#isOpen || this.#socket !== socket)
            return;
          this.#onSocketError(new errors_1.SocketClosedUnexpectedlyError());
        }).on("drain", () => this.emit("drain")).on("data", (data) => this.emit("data", data));
        return socket;
      }
      #onSocketError(err) {
        const wasReady = this.#isReady;
        this.#isReady = false;
        const socket = this.#socket;
        this.#socket = void 0;
        socket?.removeAllListeners("data");
        socket?.destroy();
        if (wasReady) {
          (0, tracing_1.publish)(tracing_1.CHANNELS.CONNECTION_CLOSED, () => ({ clientId: this.#clientId, reason: "error", wasConnected: true }));
        }
        if (!wasReady) {
          if (!this.#isOpen) {
            this.#emitError(err);
          }
          return;
        }
        if (!this.#isOpen) {
          this.#emitError(err);
          return;
        }
        const { retryIn, strategyError } = this.#shouldReconnect(0, err);
        if (typeof retryIn !== "number")
          return;
        this.#emitError(err);
        if (strategyError)
          this.#emitError(strategyError);
        if (!this.#isOpen)
          return;
        this.emit("reconnecting");
        this.#connect(1).catch(() => {
        });
      }
      write(iterable) {
        if (!this.#socket || !this.#socket.writable)
          return;
        this.#socket.cork();
        try {
          for (const args of iterable) {
            for (const toWrite of args) {
              this.#socket.write(toWrite);
            }
            if (this.#socket.writableNeedDrain)
              break;
          }
        } catch (err) {
          if (!err || err.code !== "EPIPE") {
            throw err;
          }
        } finally {
          this.#socket.uncork();
        }
      }
      async quit(fn) {
        if (!this.#isOpen) {
          throw new errors_1.ClientClosedError();
        }
        this.#isOpen = false;
        const reply = await fn();
        this.destroySocket();
        return reply;
      }
      close() {
        if (!this.#isOpen) {
          throw new errors_1.ClientClosedError();
        }
        this.#isOpen = false;
      }
      destroy() {
        if (!this.#isOpen && !this.#socket)
          return;
        this.#isOpen = false;
        this.destroySocket();
      }
      destroySocket() {
        const wasReady = this.#isReady;
        this.#isReady = false;
        if (this.#socket) {
          this.#socket.destroy();
          this.#socket = void 0;
        }
        (0, tracing_1.publish)(tracing_1.CHANNELS.CONNECTION_CLOSED, () => ({ clientId: this.#clientId, reason: "application_close", wasConnected: wasReady }));
        this.emit("end");
      }
      ref() {
        this.#isSocketUnrefed = false;
        this.#socket?.ref();
      }
      unref() {
        this.#isSocketUnrefed = true;
        this.#socket?.unref();
      }
      defaultReconnectStrategy(retries, cause) {
        if (cause instanceof errors_1.SocketTimeoutError) {
          return false;
        }
        const jitter = Math.floor(Math.random() * 200);
        const delay = Math.min(Math.pow(2, retries) * 50, 2e3);
        return delay + jitter;
      }
    };
    exports.default = RedisSocket;
  }
});

// dist/lib/authx/token.js
var require_token = __commonJS({
  "dist/lib/authx/token.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Token = void 0;
    var Token = class {
      value;
      expiresAtMs;
      receivedAtMs;
      constructor(value, expiresAtMs, receivedAtMs) {
        this.value = value;
        this.expiresAtMs = expiresAtMs;
        this.receivedAtMs = receivedAtMs;
      }
      /**
       * Returns the time-to-live of the token in milliseconds.
       * @param now The current time in milliseconds since the Unix epoch.
       */
      getTtlMs(now) {
        if (this.expiresAtMs < now) {
          return 0;
        }
        return this.expiresAtMs - now;
      }
    };
    exports.Token = Token;
  }
});

// dist/lib/authx/token-manager.js
var require_token_manager = __commonJS({
  "dist/lib/authx/token-manager.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.TokenManager = exports.IDPError = void 0;
    var token_1 = require_token();
    var IDPError = class extends Error {
      message;
      isRetryable;
      constructor(message, isRetryable) {
        super(message);
        this.message = message;
        this.isRetryable = isRetryable;
        this.name = "IDPError";
      }
    };
    exports.IDPError = IDPError;
    var TokenManager = class {
      identityProvider;
      config;
      currentToken = null;
      refreshTimeout = null;
      listener = null;
      retryAttempt = 0;
      constructor(identityProvider, config) {
        this.identityProvider = identityProvider;
        this.config = config;
        if (this.config.expirationRefreshRatio > 1) {
          throw new Error("expirationRefreshRatio must be less than or equal to 1");
        }
        if (this.config.expirationRefreshRatio < 0) {
          throw new Error("expirationRefreshRatio must be greater or equal to 0");
        }
      }
      /**
       * Starts the token manager and returns a Disposable that can be used to stop the token manager.
       *
       * @param listener The listener that will receive token updates.
       * @param initialDelayMs The initial delay in milliseconds before the first token refresh.
       */
      start(listener, initialDelayMs = 0) {
        if (this.listener) {
          this.stop();
        }
        this.listener = listener;
        this.retryAttempt = 0;
        this.scheduleNextRefresh(initialDelayMs);
        return {
          dispose: () => this.stop()
        };
      }
      calculateRetryDelay() {
        if (!this.config.retry)
          return 0;
        const { initialDelayMs, maxDelayMs, backoffMultiplier, jitterPercentage } = this.config.retry;
        let delay = initialDelayMs * Math.pow(backoffMultiplier, this.retryAttempt - 1);
        delay = Math.min(delay, maxDelayMs);
        if (jitterPercentage) {
          const jitterRange = delay * (jitterPercentage / 100);
          const jitterAmount = Math.random() * jitterRange - jitterRange / 2;
          delay += jitterAmount;
        }
        let result = Math.max(0, Math.floor(delay));
        return result;
      }
      shouldRetry(error) {
        if (!this.config.retry)
          return false;
        const { maxAttempts, isRetryable } = this.config.retry;
        if (this.retryAttempt >= maxAttempts) {
          return false;
        }
        if (isRetryable) {
          return isRetryable(error, this.retryAttempt);
        }
        return false;
      }
      isRunning() {
        return this.listener !== null;
      }
      async refresh() {
        if (!this.listener) {
          throw new Error("TokenManager is not running, but refresh was called");
        }
        try {
          await this.identityProvider.requestToken().then(this.handleNewToken);
          this.retryAttempt = 0;
        } catch (error) {
          if (this.shouldRetry(error)) {
            this.retryAttempt++;
            const retryDelay = this.calculateRetryDelay();
            this.notifyError(`Token refresh failed (attempt ${this.retryAttempt}), retrying in ${retryDelay}ms: ${error}`, true);
            this.scheduleNextRefresh(retryDelay);
          } else {
            this.notifyError(error, false);
            this.stop();
          }
        }
      }
      handleNewToken = async ({ token: nativeToken, ttlMs }) => {
        if (!this.listener) {
          throw new Error("TokenManager is not running, but a new token was received");
        }
        const token = this.wrapAndSetCurrentToken(nativeToken, ttlMs);
        this.listener.onNext(token);
        this.scheduleNextRefresh(this.calculateRefreshTime(token));
      };
      /**
       * Creates a Token object from a native token and sets it as the current token.
       *
       * @param nativeToken - The raw token received from the identity provider
       * @param ttlMs - Time-to-live in milliseconds for the token
       *
       * @returns A new Token instance containing the wrapped native token and expiration details
       *
       */
      wrapAndSetCurrentToken(nativeToken, ttlMs) {
        const now = Date.now();
        const token = new token_1.Token(nativeToken, now + ttlMs, now);
        this.currentToken = token;
        return token;
      }
      scheduleNextRefresh(delayMs) {
        if (this.refreshTimeout) {
          clearTimeout(this.refreshTimeout);
          this.refreshTimeout = null;
        }
        if (delayMs === 0) {
          this.refresh();
        } else {
          this.refreshTimeout = setTimeout(() => this.refresh(), delayMs);
        }
      }
      /**
       * Calculates the time in milliseconds when the token should be refreshed
       * based on the token's TTL and the expirationRefreshRatio configuration.
       *
       * @param token The token to calculate the refresh time for.
       * @param now The current time in milliseconds. Defaults to Date.now().
       */
      calculateRefreshTime(token, now = Date.now()) {
        const ttlMs = token.getTtlMs(now);
        return Math.floor(ttlMs * this.config.expirationRefreshRatio);
      }
      stop() {
        if (this.refreshTimeout) {
          clearTimeout(this.refreshTimeout);
          this.refreshTimeout = null;
        }
        this.listener = null;
        this.currentToken = null;
        this.retryAttempt = 0;
      }
      /**
       * Returns the current token or null if no token is available.
       */
      getCurrentToken() {
        return this.currentToken;
      }
      notifyError(error, isRetryable) {
        const errorMessage = error instanceof Error ? error.message : String(error);
        if (!this.listener) {
          throw new Error(`TokenManager is not running but received an error: ${errorMessage}`);
        }
        this.listener.onError(new IDPError(errorMessage, isRetryable));
      }
    };
    exports.TokenManager = TokenManager;
  }
});

// dist/lib/authx/credentials-provider.js
var require_credentials_provider = __commonJS({
  "dist/lib/authx/credentials-provider.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.UnableToObtainNewCredentialsError = exports.CredentialsError = void 0;
    var CredentialsError = class extends Error {
      constructor(message) {
        super(`Re-authentication with latest credentials failed: ${message}`);
        this.name = "CredentialsError";
      }
    };
    exports.CredentialsError = CredentialsError;
    var UnableToObtainNewCredentialsError = class extends Error {
      constructor(message) {
        super(`Unable to obtain new credentials : ${message}`);
        this.name = "UnableToObtainNewCredentialsError";
      }
    };
    exports.UnableToObtainNewCredentialsError = UnableToObtainNewCredentialsError;
  }
});

// dist/lib/authx/index.js
var require_authx = __commonJS({
  "dist/lib/authx/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Token = exports.CredentialsError = exports.UnableToObtainNewCredentialsError = exports.IDPError = exports.TokenManager = void 0;
    var token_manager_1 = require_token_manager();
    Object.defineProperty(exports, "TokenManager", { enumerable: true, get: function() {
      return token_manager_1.TokenManager;
    } });
    Object.defineProperty(exports, "IDPError", { enumerable: true, get: function() {
      return token_manager_1.IDPError;
    } });
    var credentials_provider_1 = require_credentials_provider();
    Object.defineProperty(exports, "UnableToObtainNewCredentialsError", { enumerable: true, get: function() {
      return credentials_provider_1.UnableToObtainNewCredentialsError;
    } });
    Object.defineProperty(exports, "CredentialsError", { enumerable: true, get: function() {
      return credentials_provider_1.CredentialsError;
    } });
    var token_1 = require_token();
    Object.defineProperty(exports, "Token", { enumerable: true, get: function() {
      return token_1.Token;
    } });
  }
});

// dist/lib/client/linked-list.js
var require_linked_list = __commonJS({
  "dist/lib/client/linked-list.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.EmptyAwareSinglyLinkedList = exports.SinglyLinkedList = exports.DoublyLinkedList = void 0;
    var events_1 = __importDefault(__require("events"));
    var DoublyLinkedList = class {
      #length = 0;
      get length() {
        return this.#length;
      }
      #head;
      get head() {
        return this.#head;
      }
      #tail;
      get tail() {
        return this.#tail;
      }
      push(value) {
        ++this.#length;
        if (this.#tail === void 0) {
          return this.#head = this.#tail = {
            previous: this.#head,
            next: void 0,
            value
          };
        }
        return this.#tail = this.#tail.next = {
          previous: this.#tail,
          next: void 0,
          value
        };
      }
      unshift(value) {
        ++this.#length;
        if (this.#head === void 0) {
          return this.#head = this.#tail = {
            previous: void 0,
            next: void 0,
            value
          };
        }
        return this.#head = this.#head.previous = {
          previous: void 0,
          next: this.#head,
          value
        };
      }
      add(value, prepend = false) {
        return prepend ? this.unshift(value) : this.push(value);
      }
      shift() {
        if (this.#head === void 0)
          return void 0;
        --this.#length;
        const node = this.#head;
        if (node.next) {
          node.next.previous = void 0;
          this.#head = node.next;
          node.next = void 0;
        } else {
          this.#head = this.#tail = void 0;
        }
        return node.value;
      }
      remove(node) {
        if (this.#length === 0)
          return;
        if (node !== this.#head && node !== this.#tail && node.previous === void 0 && node.next === void 0)
          return;
        --this.#length;
        if (node.previous) {
          node.previous.next = node.next;
        } else {
          this.#head = node.next;
        }
        if (node.next) {
          node.next.previous = node.previous;
        } else {
          this.#tail = node.previous;
        }
        node.previous = void 0;
        node.next = void 0;
      }
      reset() {
        this.#length = 0;
        this.#head = this.#tail = void 0;
      }
      *[Symbol.iterator]() {
        let node = this.#head;
        while (node !== void 0) {
          yield node.value;
          node = node.next;
        }
      }
      *nodes() {
        let node = this.#head;
        while (node) {
          const next = node.next;
          yield node;
          node = next;
        }
      }
    };
    exports.DoublyLinkedList = DoublyLinkedList;
    var SinglyLinkedList = class {
      #length = 0;
      get length() {
        return this.#length;
      }
      #head;
      get head() {
        return this.#head;
      }
      #tail;
      get tail() {
        return this.#tail;
      }
      push(value) {
        ++this.#length;
        const node = {
          value,
          next: void 0,
          removed: false
        };
        if (this.#head === void 0) {
          return this.#head = this.#tail = node;
        }
        return this.#tail.next = this.#tail = node;
      }
      remove(node, parent) {
        if (node.removed) {
          throw new Error("node already removed");
        }
        --this.#length;
        if (this.#head === node) {
          if (this.#tail === node) {
            this.#head = this.#tail = void 0;
          } else {
            this.#head = node.next;
          }
        } else if (this.#tail === node) {
          this.#tail = parent;
          parent.next = void 0;
        } else {
          parent.next = node.next;
        }
        node.removed = true;
      }
      shift() {
        if (this.#head === void 0)
          return void 0;
        const node = this.#head;
        if (--this.#length === 0) {
          this.#head = this.#tail = void 0;
        } else {
          this.#head = node.next;
        }
        node.removed = true;
        return node.value;
      }
      reset() {
        this.#length = 0;
        this.#head = this.#tail = void 0;
      }
      *[Symbol.iterator]() {
        let node = this.#head;
        while (node !== void 0) {
          yield node.value;
          node = node.next;
        }
      }
    };
    exports.SinglyLinkedList = SinglyLinkedList;
    var EmptyAwareSinglyLinkedList = class extends SinglyLinkedList {
      events = new events_1.default();
      reset() {
        const old = this.length;
        super.reset();
        if (old !== this.length && this.length === 0) {
          this.events.emit("empty");
        }
      }
      shift() {
        const old = this.length;
        const ret = super.shift();
        if (old !== this.length && this.length === 0) {
          this.events.emit("empty");
        }
        return ret;
      }
      remove(node, parent) {
        const old = this.length;
        super.remove(node, parent);
        if (old !== this.length && this.length === 0) {
          this.events.emit("empty");
        }
      }
    };
    exports.EmptyAwareSinglyLinkedList = EmptyAwareSinglyLinkedList;
  }
});

// dist/lib/RESP/encoder.js
var require_encoder = __commonJS({
  "dist/lib/RESP/encoder.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    var CRLF = "\r\n";
    function encodeCommand(args) {
      const toWrite = [];
      let strings = "*" + args.length + CRLF;
      for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (typeof arg === "string") {
          strings += "$" + Buffer.byteLength(arg) + CRLF + arg + CRLF;
        } else if (arg instanceof Buffer) {
          toWrite.push(strings + "$" + arg.length.toString() + CRLF, arg);
          strings = CRLF;
        } else {
          throw new TypeError(`"arguments[${i}]" must be of type "string | Buffer", got ${typeof arg} instead.`);
        }
      }
      toWrite.push(strings);
      return toWrite;
    }
    exports.default = encodeCommand;
  }
});

// dist/lib/utils/calculate-slot.js
var require_calculate_slot = __commonJS({
  "dist/lib/utils/calculate-slot.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    var lookup = [
      0,
      4129,
      8258,
      12387,
      16516,
      20645,
      24774,
      28903,
      33032,
      37161,
      41290,
      45419,
      49548,
      53677,
      57806,
      61935,
      4657,
      528,
      12915,
      8786,
      21173,
      17044,
      29431,
      25302,
      37689,
      33560,
      45947,
      41818,
      54205,
      50076,
      62463,
      58334,
      9314,
      13379,
      1056,
      5121,
      25830,
      29895,
      17572,
      21637,
      42346,
      46411,
      34088,
      38153,
      58862,
      62927,
      50604,
      54669,
      13907,
      9842,
      5649,
      1584,
      30423,
      26358,
      22165,
      18100,
      46939,
      42874,
      38681,
      34616,
      63455,
      59390,
      55197,
      51132,
      18628,
      22757,
      26758,
      30887,
      2112,
      6241,
      10242,
      14371,
      51660,
      55789,
      59790,
      63919,
      35144,
      39273,
      43274,
      47403,
      23285,
      19156,
      31415,
      27286,
      6769,
      2640,
      14899,
      10770,
      56317,
      52188,
      64447,
      60318,
      39801,
      35672,
      47931,
      43802,
      27814,
      31879,
      19684,
      23749,
      11298,
      15363,
      3168,
      7233,
      60846,
      64911,
      52716,
      56781,
      44330,
      48395,
      36200,
      40265,
      32407,
      28342,
      24277,
      20212,
      15891,
      11826,
      7761,
      3696,
      65439,
      61374,
      57309,
      53244,
      48923,
      44858,
      40793,
      36728,
      37256,
      33193,
      45514,
      41451,
      53516,
      49453,
      61774,
      57711,
      4224,
      161,
      12482,
      8419,
      20484,
      16421,
      28742,
      24679,
      33721,
      37784,
      41979,
      46042,
      49981,
      54044,
      58239,
      62302,
      689,
      4752,
      8947,
      13010,
      16949,
      21012,
      25207,
      29270,
      46570,
      42443,
      38312,
      34185,
      62830,
      58703,
      54572,
      50445,
      13538,
      9411,
      5280,
      1153,
      29798,
      25671,
      21540,
      17413,
      42971,
      47098,
      34713,
      38840,
      59231,
      63358,
      50973,
      55100,
      9939,
      14066,
      1681,
      5808,
      26199,
      30326,
      17941,
      22068,
      55628,
      51565,
      63758,
      59695,
      39368,
      35305,
      47498,
      43435,
      22596,
      18533,
      30726,
      26663,
      6336,
      2273,
      14466,
      10403,
      52093,
      56156,
      60223,
      64286,
      35833,
      39896,
      43963,
      48026,
      19061,
      23124,
      27191,
      31254,
      2801,
      6864,
      10931,
      14994,
      64814,
      60687,
      56684,
      52557,
      48554,
      44427,
      40424,
      36297,
      31782,
      27655,
      23652,
      19525,
      15522,
      11395,
      7392,
      3265,
      61215,
      65342,
      53085,
      57212,
      44955,
      49082,
      36825,
      40952,
      28183,
      32310,
      20053,
      24180,
      11923,
      16050,
      3793,
      7920
    ];
    function toUTF8Array(str) {
      let char;
      let i = 0;
      let p = 0;
      const utf8 = [];
      const len = str.length;
      for (; i < len; i++) {
        char = str.charCodeAt(i);
        if (char < 128) {
          utf8[p++] = char;
        } else if (char < 2048) {
          utf8[p++] = char >> 6 | 192;
          utf8[p++] = char & 63 | 128;
        } else if ((char & 64512) === 55296 && i + 1 < str.length && (str.charCodeAt(i + 1) & 64512) === 56320) {
          char = 65536 + ((char & 1023) << 10) + (str.charCodeAt(++i) & 1023);
          utf8[p++] = char >> 18 | 240;
          utf8[p++] = char >> 12 & 63 | 128;
          utf8[p++] = char >> 6 & 63 | 128;
          utf8[p++] = char & 63 | 128;
        } else {
          utf8[p++] = char >> 12 | 224;
          utf8[p++] = char >> 6 & 63 | 128;
          utf8[p++] = char & 63 | 128;
        }
      }
      return utf8;
    }
    function generate(value) {
      let char;
      let i = 0;
      let start = -1;
      let done = false;
      let result = 0;
      let resultHash = 0;
      const utf8 = typeof value === "string" ? toUTF8Array(value) : value;
      const len = utf8.length;
      while (i < len) {
        char = utf8[i++];
        if (done || start === -1) {
          if (!done && char === 123) {
            start = i;
          }
        } else if (char !== 125) {
          resultHash = lookup[(char ^ resultHash >> 8) & 255] ^ resultHash << 8;
        } else if (i - 1 !== start) {
          return resultHash & 16383;
        } else {
          done = true;
        }
        result = lookup[(char ^ result >> 8) & 255] ^ result << 8;
      }
      return result & 16383;
    }
    var calculateSlot = generate;
    calculateSlot.generateMulti = function generateMulti(values) {
      let i = 1;
      const len = values.length;
      const base = generate(values[0]);
      while (i < len) {
        if (generate(values[i++]) !== base)
          return -1;
      }
      return base;
    };
    exports.default = calculateSlot;
  }
});

// dist/lib/client/pub-sub.js
var require_pub_sub = __commonJS({
  "dist/lib/client/pub-sub.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.PubSub = exports.PUBSUB_TYPE = void 0;
    var calculate_slot_1 = __importDefault(require_calculate_slot());
    var tracing_1 = require_tracing();
    exports.PUBSUB_TYPE = {
      CHANNELS: "CHANNELS",
      PATTERNS: "PATTERNS",
      SHARDED: "SHARDED"
    };
    var COMMANDS = {
      [exports.PUBSUB_TYPE.CHANNELS]: {
        subscribe: Buffer.from("subscribe"),
        unsubscribe: Buffer.from("unsubscribe"),
        message: Buffer.from("message")
      },
      [exports.PUBSUB_TYPE.PATTERNS]: {
        subscribe: Buffer.from("psubscribe"),
        unsubscribe: Buffer.from("punsubscribe"),
        message: Buffer.from("pmessage")
      },
      [exports.PUBSUB_TYPE.SHARDED]: {
        subscribe: Buffer.from("ssubscribe"),
        unsubscribe: Buffer.from("sunsubscribe"),
        message: Buffer.from("smessage")
      }
    };
    var PubSub = class _PubSub {
      #clientId;
      constructor(clientId) {
        this.#clientId = clientId;
      }
      static isStatusReply(reply) {
        const firstElement = typeof reply[0] === "string" ? Buffer.from(reply[0]) : reply[0];
        return COMMANDS[exports.PUBSUB_TYPE.CHANNELS].subscribe.equals(firstElement) || COMMANDS[exports.PUBSUB_TYPE.CHANNELS].unsubscribe.equals(firstElement) || COMMANDS[exports.PUBSUB_TYPE.PATTERNS].subscribe.equals(firstElement) || COMMANDS[exports.PUBSUB_TYPE.PATTERNS].unsubscribe.equals(firstElement) || COMMANDS[exports.PUBSUB_TYPE.SHARDED].subscribe.equals(firstElement);
      }
      static isShardedUnsubscribe(reply) {
        const firstElement = typeof reply[0] === "string" ? Buffer.from(reply[0]) : reply[0];
        return COMMANDS[exports.PUBSUB_TYPE.SHARDED].unsubscribe.equals(firstElement);
      }
      // The count Redis reports on an UNSUBSCRIBE/PUNSUBSCRIBE reply is the total of the
      // remaining channel + pattern subscriptions (sharded channels are counted separately).
      // An argument-less UNSUBSCRIBE therefore does not drive that count to 0 while pattern
      // subscriptions remain (and vice versa), so completion is reached when only the other
      // type's subscriptions are left, not at 0.
      residualAfterUnsubscribeAll(reply) {
        const firstElement = typeof reply[0] === "string" ? Buffer.from(reply[0]) : reply[0];
        if (COMMANDS[exports.PUBSUB_TYPE.PATTERNS].unsubscribe.equals(firstElement)) {
          return this.listeners[exports.PUBSUB_TYPE.CHANNELS].size;
        }
        if (COMMANDS[exports.PUBSUB_TYPE.CHANNELS].unsubscribe.equals(firstElement)) {
          return this.listeners[exports.PUBSUB_TYPE.PATTERNS].size;
        }
        return 0;
      }
      static #channelsArray(channels) {
        return Array.isArray(channels) ? channels : [channels];
      }
      static #listenersSet(listeners, returnBuffers) {
        return returnBuffers ? listeners.buffers : listeners.strings;
      }
      #subscribing = 0;
      #isActive = false;
      get isActive() {
        return this.#isActive;
      }
      listeners = {
        [exports.PUBSUB_TYPE.CHANNELS]: /* @__PURE__ */ new Map(),
        [exports.PUBSUB_TYPE.PATTERNS]: /* @__PURE__ */ new Map(),
        [exports.PUBSUB_TYPE.SHARDED]: /* @__PURE__ */ new Map()
      };
      subscribe(type, channels, listener, returnBuffers) {
        const args = [COMMANDS[type].subscribe], channelsArray = _PubSub.#channelsArray(channels), newChannels = [];
        for (const channel of channelsArray) {
          const channelListeners = this.listeners[type].get(channel);
          if (!channelListeners || channelListeners.unsubscribing) {
            args.push(channel);
            newChannels.push(channel);
          } else {
            _PubSub.#listenersSet(channelListeners, returnBuffers).add(listener);
          }
        }
        if (args.length === 1) {
          return;
        }
        this.#isActive = true;
        this.#subscribing++;
        return {
          args,
          channelsCounter: args.length - 1,
          resolve: () => {
            this.#subscribing--;
            for (const channel of newChannels) {
              let listeners = this.listeners[type].get(channel);
              if (!listeners) {
                listeners = {
                  unsubscribing: false,
                  buffers: /* @__PURE__ */ new Set(),
                  strings: /* @__PURE__ */ new Set()
                };
                this.listeners[type].set(channel, listeners);
              }
              _PubSub.#listenersSet(listeners, returnBuffers).add(listener);
            }
          },
          reject: () => {
            this.#subscribing--;
            this.#updateIsActive();
          }
        };
      }
      extendChannelListeners(type, channel, listeners) {
        if (!this.#extendChannelListeners(type, channel, listeners))
          return;
        this.#isActive = true;
        this.#subscribing++;
        return {
          args: [
            COMMANDS[type].subscribe,
            channel
          ],
          channelsCounter: 1,
          resolve: () => this.#subscribing--,
          reject: () => {
            this.#subscribing--;
            this.#updateIsActive();
          }
        };
      }
      #extendChannelListeners(type, channel, listeners) {
        const existingListeners = this.listeners[type].get(channel);
        if (!existingListeners) {
          this.listeners[type].set(channel, listeners);
          return true;
        }
        for (const listener of listeners.buffers) {
          existingListeners.buffers.add(listener);
        }
        for (const listener of listeners.strings) {
          existingListeners.strings.add(listener);
        }
        return false;
      }
      extendTypeListeners(type, listeners) {
        const args = [COMMANDS[type].subscribe];
        for (const [channel, channelListeners] of listeners) {
          if (this.#extendChannelListeners(type, channel, channelListeners)) {
            args.push(channel);
          }
        }
        if (args.length === 1)
          return;
        this.#isActive = true;
        this.#subscribing++;
        return {
          args,
          channelsCounter: args.length - 1,
          resolve: () => this.#subscribing--,
          reject: () => {
            this.#subscribing--;
            this.#updateIsActive();
          }
        };
      }
      unsubscribe(type, channels, listener, returnBuffers) {
        const listeners = this.listeners[type];
        if (!channels) {
          return this.#unsubscribeCommand(
            [COMMANDS[type].unsubscribe],
            // cannot use `this.#subscribed` because there might be some `SUBSCRIBE` commands in the queue
            // cannot use `this.#subscribed + this.#subscribing` because some `SUBSCRIBE` commands might fail
            NaN,
            () => listeners.clear()
          );
        }
        const channelsArray = _PubSub.#channelsArray(channels);
        if (!listener) {
          return this.#unsubscribeCommand([COMMANDS[type].unsubscribe, ...channelsArray], channelsArray.length, () => {
            for (const channel of channelsArray) {
              listeners.delete(channel);
            }
          });
        }
        const args = [COMMANDS[type].unsubscribe];
        for (const channel of channelsArray) {
          const sets = listeners.get(channel);
          if (sets) {
            let current, other;
            if (returnBuffers) {
              current = sets.buffers;
              other = sets.strings;
            } else {
              current = sets.strings;
              other = sets.buffers;
            }
            const currentSize = current.has(listener) ? current.size - 1 : current.size;
            if (currentSize !== 0 || other.size !== 0)
              continue;
            sets.unsubscribing = true;
          }
          args.push(channel);
        }
        if (args.length === 1) {
          for (const channel of channelsArray) {
            _PubSub.#listenersSet(listeners.get(channel), returnBuffers).delete(listener);
          }
          return;
        }
        return this.#unsubscribeCommand(args, args.length - 1, () => {
          for (const channel of channelsArray) {
            const sets = listeners.get(channel);
            if (!sets)
              continue;
            (returnBuffers ? sets.buffers : sets.strings).delete(listener);
            if (sets.buffers.size === 0 && sets.strings.size === 0) {
              listeners.delete(channel);
            }
          }
        });
      }
      #unsubscribeCommand(args, channelsCounter, removeListeners) {
        return {
          args,
          channelsCounter,
          resolve: () => {
            removeListeners();
            this.#updateIsActive();
          },
          reject: void 0
        };
      }
      #updateIsActive() {
        this.#isActive = this.listeners[exports.PUBSUB_TYPE.CHANNELS].size !== 0 || this.listeners[exports.PUBSUB_TYPE.PATTERNS].size !== 0 || this.listeners[exports.PUBSUB_TYPE.SHARDED].size !== 0 || this.#subscribing !== 0;
      }
      reset() {
        this.#isActive = false;
        this.#subscribing = 0;
      }
      resubscribe() {
        const commands = [];
        for (const [type, listeners] of Object.entries(this.listeners)) {
          if (!listeners.size)
            continue;
          this.#isActive = true;
          if (type === exports.PUBSUB_TYPE.SHARDED) {
            this.#shardedResubscribe(commands, listeners);
          } else {
            this.#normalResubscribe(commands, type, listeners);
          }
        }
        return commands;
      }
      #normalResubscribe(commands, type, listeners) {
        this.#subscribing++;
        const callback = () => {
          if (this.#subscribing > 0)
            this.#subscribing--;
        };
        commands.push({
          args: [
            COMMANDS[type].subscribe,
            ...listeners.keys()
          ],
          channelsCounter: listeners.size,
          resolve: callback,
          reject: callback
        });
      }
      #shardedResubscribe(commands, listeners) {
        const callback = () => {
          if (this.#subscribing > 0)
            this.#subscribing--;
        };
        for (const channel of listeners.keys()) {
          this.#subscribing++;
          commands.push({
            args: [
              COMMANDS[exports.PUBSUB_TYPE.SHARDED].subscribe,
              channel
            ],
            channelsCounter: 1,
            resolve: callback,
            reject: callback
          });
        }
      }
      handleMessageReply(reply) {
        const firstElement = typeof reply[0] === "string" ? Buffer.from(reply[0]) : reply[0];
        if (COMMANDS[exports.PUBSUB_TYPE.CHANNELS].message.equals(firstElement)) {
          this.#emitPubSubMessage(exports.PUBSUB_TYPE.CHANNELS, reply[2], reply[1]);
          return true;
        } else if (COMMANDS[exports.PUBSUB_TYPE.PATTERNS].message.equals(firstElement)) {
          this.#emitPubSubMessage(exports.PUBSUB_TYPE.PATTERNS, reply[3], reply[2], reply[1]);
          return true;
        } else if (COMMANDS[exports.PUBSUB_TYPE.SHARDED].message.equals(firstElement)) {
          this.#emitPubSubMessage(exports.PUBSUB_TYPE.SHARDED, reply[2], reply[1]);
          return true;
        }
        return false;
      }
      removeShardedListeners(channel) {
        const listeners = this.listeners[exports.PUBSUB_TYPE.SHARDED].get(channel);
        this.listeners[exports.PUBSUB_TYPE.SHARDED].delete(channel);
        this.#updateIsActive();
        return listeners;
      }
      removeAllListeners() {
        const result = {
          [exports.PUBSUB_TYPE.CHANNELS]: this.listeners[exports.PUBSUB_TYPE.CHANNELS],
          [exports.PUBSUB_TYPE.PATTERNS]: this.listeners[exports.PUBSUB_TYPE.PATTERNS],
          [exports.PUBSUB_TYPE.SHARDED]: this.listeners[exports.PUBSUB_TYPE.SHARDED]
        };
        this.listeners[exports.PUBSUB_TYPE.CHANNELS] = /* @__PURE__ */ new Map();
        this.listeners[exports.PUBSUB_TYPE.PATTERNS] = /* @__PURE__ */ new Map();
        this.listeners[exports.PUBSUB_TYPE.SHARDED] = /* @__PURE__ */ new Map();
        this.#updateIsActive();
        return result;
      }
      removeShardedPubSubListenersForSlots(slots) {
        const sharded = /* @__PURE__ */ new Map();
        for (const [chanel, value] of this.listeners[exports.PUBSUB_TYPE.SHARDED]) {
          if (slots.has((0, calculate_slot_1.default)(chanel))) {
            sharded.set(chanel, value);
            this.listeners[exports.PUBSUB_TYPE.SHARDED].delete(chanel);
          }
        }
        this.#updateIsActive();
        return {
          [exports.PUBSUB_TYPE.SHARDED]: sharded
        };
      }
      #emitPubSubMessage(type, message, channel, pattern) {
        const keyString = (pattern ?? channel).toString(), listeners = this.listeners[type].get(keyString);
        if (!listeners)
          return;
        (0, tracing_1.publish)(tracing_1.CHANNELS.PUBSUB, () => ({
          direction: "in",
          clientId: this.#clientId,
          channel,
          sharded: type === exports.PUBSUB_TYPE.SHARDED
        }));
        for (const listener of listeners.buffers) {
          listener(message, channel);
        }
        if (!listeners.strings.size)
          return;
        const channelString = pattern ? channel.toString() : keyString, messageString = channelString === "__redis__:invalidate" ? (
          // https://github.com/redis/redis/pull/7469
          // https://github.com/redis/redis/issues/7463
          message === null ? null : message.map((x) => x.toString())
        ) : message.toString();
        for (const listener of listeners.strings) {
          listener(messageString, channelString);
        }
      }
    };
    exports.PubSub = PubSub;
  }
});

// dist/lib/client/commands-queue.js
var require_commands_queue = __commonJS({
  "dist/lib/client/commands-queue.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    var _a;
    Object.defineProperty(exports, "__esModule", { value: true });
    var linked_list_1 = require_linked_list();
    var encoder_1 = __importDefault(require_encoder());
    var decoder_1 = require_decoder();
    var pub_sub_1 = require_pub_sub();
    var errors_1 = require_errors();
    var enterprise_maintenance_manager_1 = require_enterprise_maintenance_manager();
    var PONG = Buffer.from("pong");
    var RESET = Buffer.from("RESET");
    var RESP2_PUSH_TYPE_MAPPING = {
      ...decoder_1.PUSH_TYPE_MAPPING,
      [decoder_1.RESP_TYPES.SIMPLE_STRING]: Buffer
    };
    var RedisCommandsQueue = class {
      #respVersion;
      #maxLength;
      #toWrite = new linked_list_1.DoublyLinkedList();
      #waitingForReply = new linked_list_1.EmptyAwareSinglyLinkedList();
      #onShardedChannelMoved;
      #chainInExecution;
      decoder;
      #pubSub;
      #clientId;
      #pushHandlers = [this.#onPush.bind(this)];
      #maintenanceCommandTimeout;
      setMaintenanceCommandTimeout(ms) {
        if (this.#maintenanceCommandTimeout === ms) {
          (0, enterprise_maintenance_manager_1.dbgMaintenance)(`Queue already set maintenanceCommandTimeout to ${ms}, skipping`);
          return;
        }
        (0, enterprise_maintenance_manager_1.dbgMaintenance)(`Setting maintenance command timeout to ${ms}`);
        this.#maintenanceCommandTimeout = ms;
        if (this.#maintenanceCommandTimeout === void 0) {
          (0, enterprise_maintenance_manager_1.dbgMaintenance)(`Queue will keep maintenanceCommandTimeout for exisitng commands, just to be on the safe side. New commands will receive normal timeouts`);
          return;
        }
        let counter = 0;
        const total = this.#toWrite.length;
        for (const node of this.#toWrite.nodes()) {
          const command = node.value;
          _a.#removeTimeoutListener(command);
          counter++;
          const newTimeout = this.#maintenanceCommandTimeout;
          const signal = AbortSignal.timeout(newTimeout);
          command.timeout = {
            signal,
            listener: this.#createTimeoutListener(node, command, newTimeout, true),
            originalTimeout: command.timeout?.originalTimeout,
            effectiveTimeout: newTimeout,
            wasInMaintenance: true
          };
          signal.addEventListener("abort", command.timeout.listener, {
            once: true
          });
        }
        (0, enterprise_maintenance_manager_1.dbgMaintenance)(`Total of ${counter} of ${total} timeouts reset to ${ms}`);
      }
      get isPubSubActive() {
        return this.#pubSub.isActive;
      }
      /**
       * Returns the total number of pending commands (waiting to write + waiting for reply).
       */
      get pendingCount() {
        return this.#toWrite.length + this.#waitingForReply.length;
      }
      /**
       * The chainId of the most recently written command, if it belonged to a
       * MULTI/pipeline chain. While this is set, any command still in `#toWrite`
       * with a matching `chainId` is the tail of a chain that's already partially
       * sent to the server - the rest of that chain is in `#waitingForReply` and
       * out of view, so this tail must not be treated as a complete, relocatable
       * chain (see `flushWaitingForReply`, which rejects it instead of resending it).
       */
      get chainInExecution() {
        return this.#chainInExecution;
      }
      constructor(respVersion, maxLength, onShardedChannelMoved, clientId) {
        this.#respVersion = respVersion;
        this.#maxLength = maxLength;
        this.#onShardedChannelMoved = onShardedChannelMoved;
        this.decoder = this.#initiateDecoder();
        this.#clientId = clientId;
        this.#pubSub = new pub_sub_1.PubSub(this.#clientId);
      }
      #onReply(reply) {
        this.#waitingForReply.shift().resolve(reply);
      }
      #onErrorReply(err) {
        this.#waitingForReply.shift().reject(err);
      }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- heterogeneous push payload
      #onPush(push) {
        if (this.#pubSub.handleMessageReply(push))
          return true;
        const isShardedUnsubscribe = pub_sub_1.PubSub.isShardedUnsubscribe(push);
        if (isShardedUnsubscribe && !this.#waitingForReply.length) {
          const channel = push[1].toString();
          this.#onShardedChannelMoved(channel, this.#pubSub.removeShardedListeners(channel));
          return true;
        } else if (isShardedUnsubscribe || pub_sub_1.PubSub.isStatusReply(push)) {
          const head = this.#waitingForReply.head.value;
          if (Number.isNaN(head.channelsCounter) && push[2] === this.#pubSub.residualAfterUnsubscribeAll(push) || --head.channelsCounter === 0) {
            this.#waitingForReply.shift().resolve();
          }
          return true;
        }
        return false;
      }
      #getTypeMapping() {
        const head = this.#waitingForReply.head;
        if (!head)
          return decoder_1.PUSH_TYPE_MAPPING;
        return head.value.typeMapping ?? {};
      }
      #initiateDecoder() {
        return new decoder_1.Decoder({
          onReply: (reply) => this.#onReply(reply),
          onErrorReply: (err) => this.#onErrorReply(err),
          //TODO: we can shave off a few cycles by not adding onPush handler at all if CSC is not used
          onPush: (push) => {
            for (const pushHandler of this.#pushHandlers) {
              if (pushHandler(push))
                return;
            }
          },
          getTypeMapping: () => this.#getTypeMapping()
        });
      }
      addPushHandler(handler) {
        this.#pushHandlers.push(handler);
      }
      async waitForInflightCommandsToComplete(options) {
        if (this.#waitingForReply.length === 0) {
          return;
        }
        return new Promise((resolve) => {
          const onEmpty = () => {
            if (timeoutId)
              clearTimeout(timeoutId);
            resolve();
          };
          let timeoutId;
          const timeoutMs = options?.timeoutMs;
          if (timeoutMs !== void 0 && timeoutMs > 0) {
            timeoutId = setTimeout(() => {
              this.#waitingForReply.events.off("empty", onEmpty);
              const pendingCount = this.#waitingForReply.length;
              (0, enterprise_maintenance_manager_1.dbgMaintenance)(`waitForInflightCommandsToComplete timed out after ${timeoutMs}ms with ${pendingCount} commands still waiting`);
              if (options?.flushOnTimeout && pendingCount > 0) {
                (0, enterprise_maintenance_manager_1.dbgMaintenance)(`Flushing ${pendingCount} commands that timed out waiting for reply`);
                this.#flushWaitingForReply(new errors_1.TimeoutError());
              }
              resolve();
            }, timeoutMs);
          }
          this.#waitingForReply.events.once("empty", onEmpty);
        });
      }
      #createAbortListener(node, value) {
        return () => {
          this.#rejectCommand(node, value, new errors_1.AbortError());
        };
      }
      #createTimeoutListener(node, value, effectiveTimeout, wasInMaintenance) {
        return () => {
          this.#rejectCommand(node, value, wasInMaintenance ? new errors_1.CommandTimeoutDuringMaintenanceError(effectiveTimeout) : new errors_1.TimeoutError());
        };
      }
      #rejectCommand(node, value, err) {
        if (value.rejected)
          return;
        value.rejected = true;
        _a.#removeCommandListeners(value);
        this.#toWrite.remove(node);
        value.reject(err);
      }
      addCommand(args, options) {
        if (this.#maxLength && this.#toWrite.length + this.#waitingForReply.length >= this.#maxLength) {
          return Promise.reject(new Error("The queue is full"));
        } else if (options?.abortSignal?.aborted) {
          return Promise.reject(new errors_1.AbortError());
        }
        return new Promise((resolve, reject) => {
          const value = {
            args,
            chainId: options?.chainId,
            abort: void 0,
            timeout: void 0,
            resolve,
            reject,
            channelsCounter: void 0,
            typeMapping: options?.typeMapping
          };
          value.slotNumber = options?.slotNumber;
          const node = this.#toWrite.add(value, options?.asap);
          try {
            const timeout = this.#maintenanceCommandTimeout ?? options?.timeout;
            const wasInMaintenance = this.#maintenanceCommandTimeout !== void 0;
            if (timeout) {
              const signal2 = AbortSignal.timeout(timeout);
              value.timeout = {
                signal: signal2,
                listener: this.#createTimeoutListener(node, value, timeout, wasInMaintenance),
                originalTimeout: options?.timeout,
                effectiveTimeout: timeout,
                wasInMaintenance
              };
              signal2.addEventListener("abort", value.timeout.listener, {
                once: true
              });
            }
            const signal = options?.abortSignal;
            if (signal) {
              value.abort = {
                signal,
                listener: this.#createAbortListener(node, value)
              };
              signal.addEventListener("abort", value.abort.listener, { once: true });
            }
          } catch (err) {
            _a.#removeCommandListeners(value);
            this.#toWrite.remove(node);
            reject(err);
          }
        });
      }
      #addPubSubCommand(command, asap = false, chainId) {
        return new Promise((resolve, reject) => {
          this.#toWrite.add({
            args: command.args,
            chainId,
            abort: void 0,
            timeout: void 0,
            resolve() {
              command.resolve();
              resolve();
            },
            reject(err) {
              command.reject?.();
              reject(err);
            },
            channelsCounter: command.channelsCounter,
            typeMapping: decoder_1.PUSH_TYPE_MAPPING
          }, asap);
        });
      }
      #setupPubSubHandler() {
        if (this.#respVersion !== 2)
          return;
        this.decoder.onReply = ((reply) => {
          if (Array.isArray(reply)) {
            if (this.#onPush(reply))
              return;
            const firstElement = typeof reply[0] === "string" ? Buffer.from(reply[0]) : reply[0];
            if (PONG.equals(firstElement)) {
              const { resolve, typeMapping } = this.#waitingForReply.shift(), buffer = reply[1].length === 0 ? reply[0] : reply[1];
              resolve(typeMapping?.[decoder_1.RESP_TYPES.SIMPLE_STRING] === Buffer ? buffer : buffer.toString());
              return;
            }
          }
          return this.#onReply(reply);
        });
        this.decoder.getTypeMapping = () => RESP2_PUSH_TYPE_MAPPING;
      }
      subscribe(type, channels, listener, returnBuffers) {
        const command = this.#pubSub.subscribe(type, channels, listener, returnBuffers);
        if (!command)
          return;
        this.#setupPubSubHandler();
        return this.#addPubSubCommand(command);
      }
      #resetDecoderCallbacks() {
        this.decoder.onReply = ((reply) => this.#onReply(reply));
        this.decoder.getTypeMapping = () => this.#getTypeMapping();
      }
      unsubscribe(type, channels, listener, returnBuffers) {
        const command = this.#pubSub.unsubscribe(type, channels, listener, returnBuffers);
        if (!command)
          return;
        if (command && this.#respVersion === 2) {
          const { resolve } = command;
          command.resolve = () => {
            if (!this.#pubSub.isActive) {
              this.#resetDecoderCallbacks();
            }
            resolve();
          };
        }
        return this.#addPubSubCommand(command);
      }
      removeAllPubSubListeners() {
        return this.#pubSub.removeAllListeners();
      }
      removeShardedPubSubListenersForSlots(slots) {
        return this.#pubSub.removeShardedPubSubListenersForSlots(slots);
      }
      resubscribe(chainId) {
        const commands = this.#pubSub.resubscribe();
        if (!commands.length)
          return;
        this.#setupPubSubHandler();
        return Promise.all(commands.map((command) => this.#addPubSubCommand(command, true, chainId)));
      }
      extendPubSubChannelListeners(type, channel, listeners) {
        const command = this.#pubSub.extendChannelListeners(type, channel, listeners);
        if (!command)
          return;
        this.#setupPubSubHandler();
        return this.#addPubSubCommand(command);
      }
      extendPubSubListeners(type, listeners) {
        const command = this.#pubSub.extendTypeListeners(type, listeners);
        if (!command)
          return;
        this.#setupPubSubHandler();
        return this.#addPubSubCommand(command);
      }
      getPubSubListeners(type) {
        return this.#pubSub.listeners[type];
      }
      monitor(callback, options) {
        return new Promise((resolve, reject) => {
          const typeMapping = options?.typeMapping ?? {};
          this.#toWrite.add({
            args: ["MONITOR"],
            chainId: options?.chainId,
            abort: void 0,
            timeout: void 0,
            // using `resolve` instead of using `.then`/`await` to make sure it'll be called before processing the next reply
            resolve: () => {
              if (this.#resetFallbackOnReply) {
                this.#resetFallbackOnReply = callback;
              } else {
                this.decoder.onReply = callback;
              }
              this.decoder.getTypeMapping = () => typeMapping;
              resolve();
            },
            reject,
            channelsCounter: void 0,
            typeMapping
          }, options?.asap);
        });
      }
      resetDecoder() {
        this.#resetDecoderCallbacks();
        this.decoder.reset();
      }
      #resetFallbackOnReply;
      async reset(chainId, typeMapping) {
        return new Promise((resolve, reject) => {
          this.#resetFallbackOnReply = this.decoder.onReply;
          this.decoder.onReply = ((reply) => {
            if (typeof reply === "string" && reply === "RESET" || reply instanceof Buffer && RESET.equals(reply)) {
              this.#resetDecoderCallbacks();
              this.#resetFallbackOnReply = void 0;
              this.#pubSub.reset();
              this.#waitingForReply.shift().resolve(reply);
              return;
            }
            this.#resetFallbackOnReply(reply);
          });
          this.#toWrite.push({
            args: ["RESET"],
            chainId,
            abort: void 0,
            timeout: void 0,
            resolve,
            reject,
            channelsCounter: void 0,
            typeMapping
          });
        });
      }
      isWaitingToWrite() {
        return this.#toWrite.length > 0;
      }
      *commandsToWrite() {
        let toSend = this.#toWrite.shift();
        while (toSend) {
          let encoded;
          try {
            encoded = (0, encoder_1.default)(toSend.args);
          } catch (err) {
            toSend.reject(err);
            toSend = this.#toWrite.shift();
            continue;
          }
          toSend.args = void 0;
          if (toSend.abort) {
            _a.#removeAbortListener(toSend);
            toSend.abort = void 0;
          }
          if (toSend.timeout) {
            _a.#removeTimeoutListener(toSend);
            toSend.timeout = void 0;
          }
          this.#chainInExecution = toSend.chainId;
          toSend.chainId = void 0;
          this.#waitingForReply.push(toSend);
          yield encoded;
          toSend = this.#toWrite.shift();
        }
      }
      #flushWaitingForReply(err) {
        for (const node of this.#waitingForReply) {
          node.reject(err);
        }
        this.#waitingForReply.reset();
      }
      static #removeAbortListener(command) {
        command.abort.signal.removeEventListener("abort", command.abort.listener);
      }
      static #removeTimeoutListener(command) {
        command.timeout?.signal.removeEventListener("abort", command.timeout.listener);
      }
      static #removeCommandListeners(command) {
        if (command.abort) {
          _a.#removeAbortListener(command);
          command.abort = void 0;
        }
        if (command.timeout) {
          _a.#removeTimeoutListener(command);
          command.timeout = void 0;
        }
      }
      static #flushToWrite(toBeSent, err) {
        if (toBeSent.abort) {
          _a.#removeAbortListener(toBeSent);
        }
        if (toBeSent.timeout) {
          _a.#removeTimeoutListener(toBeSent);
        }
        toBeSent.reject(err);
      }
      flushWaitingForReply(err) {
        this.resetDecoder();
        this.#pubSub.reset();
        this.#flushWaitingForReply(err);
        if (!this.#chainInExecution)
          return;
        while (this.#toWrite.head?.value.chainId === this.#chainInExecution) {
          _a.#flushToWrite(this.#toWrite.shift(), err);
        }
        this.#chainInExecution = void 0;
      }
      flushAll(err) {
        this.resetDecoder();
        this.#pubSub.reset();
        this.#flushWaitingForReply(err);
        for (const node of this.#toWrite) {
          _a.#flushToWrite(node, err);
        }
        this.#toWrite.reset();
      }
      isEmpty() {
        return this.#toWrite.length === 0 && this.#waitingForReply.length === 0;
      }
      /**
       *
       * Extracts commands for the given slots from the toWrite queue.
       * Some commands don't have "slotNumber", which means they are not designated to particular slot/node.
       * We ignore those.
       *
       * A command whose chainId matches `chainInExecution` is the queued tail of a
       * chain (MULTI/pipeline) whose head was already written to this socket - the
       * rest is in `#waitingForReply`, out of view. Relocating just the tail would
       * split the transaction across two connections, and this connection isn't
       * going away (unlike a full node loss), so extraction stops there entirely:
       * that command and everything still queued behind it stay on this
       * connection, preserving the order they were originally sent in, and get
       * sent here as originally queued. If a key has by then moved to another
       * node, that surfaces as a normal MOVED/ASK error through this method's
       * caller. Atomic MULTI execution retries through the cluster redirect loop;
       * non-atomic pipeline execution intentionally does not.
       */
      extractCommandsForSlots(slots) {
        const result = [];
        let current = this.#toWrite.head;
        while (current !== void 0) {
          if (current.value.slotNumber === void 0 || !slots.has(current.value.slotNumber)) {
            current = current.next;
            continue;
          }
          if (this.#chainInExecution !== void 0 && current.value.chainId === this.#chainInExecution) {
            break;
          }
          const command = current.value;
          if (command.abort) {
            _a.#removeAbortListener(command);
          }
          if (command.timeout) {
            _a.#removeTimeoutListener(command);
          }
          result.push(command);
          const toRemove = current;
          current = current.next;
          this.#toWrite.remove(toRemove);
        }
        return result;
      }
      /**
       * Extracts all commands from the write queue.
       */
      extractAllCommands() {
        const result = [];
        let current = this.#toWrite.head;
        while (current) {
          const command = current.value;
          if (command.abort) {
            _a.#removeAbortListener(command);
          }
          if (command.timeout) {
            _a.#removeTimeoutListener(command);
          }
          result.push(command);
          const toRemove = current;
          current = current.next;
          this.#toWrite.remove(toRemove);
        }
        return result;
      }
      /**
       * Rejects commands that were extracted but could not be moved to another queue.
       */
      rejectCommands(commands, err) {
        for (const command of commands) {
          if (command.rejected)
            continue;
          command.rejected = true;
          _a.#removeCommandListeners(command);
          command.reject(err);
        }
      }
      /**
       * Prepends commands to the write queue in reverse.
       *
       * Commands arriving here (from `extractAllCommands`/`extractCommandsForSlots` on
       * another queue, e.g. during cluster slot migration) may still carry abort/timeout
       * listeners bound to the node and queue they were removed from. Those listeners would
       * reject the caller's promise without actually removing the command from this queue,
       * so they're rebound to the node created here.
       */
      prependCommandsToWrite(commands) {
        if (!commands.length) {
          return;
        }
        for (let i = commands.length - 1; i >= 0; i--) {
          const value = commands[i];
          const node = this.#toWrite.unshift(value);
          if (value.rejected) {
            this.#toWrite.remove(node);
            continue;
          }
          if (value.timeout) {
            _a.#removeTimeoutListener(value);
            if (value.timeout.signal.aborted) {
              this.#rejectCommand(node, value, value.timeout.wasInMaintenance ? new errors_1.CommandTimeoutDuringMaintenanceError(value.timeout.effectiveTimeout) : new errors_1.TimeoutError());
              continue;
            } else {
              value.timeout.listener = this.#createTimeoutListener(node, value, value.timeout.effectiveTimeout, value.timeout.wasInMaintenance);
              value.timeout.signal.addEventListener("abort", value.timeout.listener, {
                once: true
              });
            }
          }
          if (value.abort) {
            _a.#removeAbortListener(value);
            if (value.abort.signal.aborted) {
              this.#rejectCommand(node, value, new errors_1.AbortError());
            } else {
              value.abort.listener = this.#createAbortListener(node, value);
              value.abort.signal.addEventListener("abort", value.abort.listener, {
                once: true
              });
            }
          }
        }
      }
    };
    _a = RedisCommandsQueue;
    exports.default = RedisCommandsQueue;
  }
});

// dist/lib/commander.js
var require_commander = __commonJS({
  "dist/lib/commander.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.scriptArgumentsPrefix = exports.functionArgumentsPrefix = exports.getTransformReply = exports.attachConfig = void 0;
    var types_1 = require_types();
    function attachConfig({ BaseClass, commands, createCommand, createModuleCommand, createFunctionCommand, createScriptCommand, config }) {
      const RESP = config?.RESP ?? types_1.DEFAULT_RESP, Class = class extends BaseClass {
      };
      for (const [name, command] of Object.entries(commands)) {
        Class.prototype[name] = createCommand(command, RESP);
      }
      if (config?.modules) {
        for (const [moduleName, module2] of Object.entries(config.modules)) {
          const fns = {};
          for (const [name, command] of Object.entries(module2)) {
            fns[name] = createModuleCommand(command, RESP);
          }
          attachNamespace(Class.prototype, moduleName, fns);
        }
      }
      if (config?.functions) {
        for (const [library, commands2] of Object.entries(config.functions)) {
          const fns = {};
          for (const [name, command] of Object.entries(commands2)) {
            fns[name] = createFunctionCommand(name, command, RESP);
          }
          attachNamespace(Class.prototype, library, fns);
        }
      }
      if (config?.scripts) {
        for (const [name, script] of Object.entries(config.scripts)) {
          Class.prototype[name] = createScriptCommand(script, RESP);
        }
      }
      return Class;
    }
    exports.attachConfig = attachConfig;
    var namespaceCache = /* @__PURE__ */ new WeakMap();
    function attachNamespace(prototype, name, fns) {
      Object.defineProperty(prototype, name, {
        get() {
          let perReceiver = namespaceCache.get(this);
          if (perReceiver === void 0) {
            perReceiver = /* @__PURE__ */ new Map();
            namespaceCache.set(this, perReceiver);
          }
          let value = perReceiver.get(name);
          if (value === void 0) {
            value = Object.create(fns);
            value._self = this;
            perReceiver.set(name, value);
          }
          return value;
        }
      });
    }
    function getTransformReply(command, resp) {
      switch (typeof command.transformReply) {
        case "function":
          return command.transformReply;
        case "object":
          return command.transformReply[resp];
      }
    }
    exports.getTransformReply = getTransformReply;
    function functionArgumentsPrefix(name, fn) {
      const prefix = [
        fn.IS_READ_ONLY ? "FCALL_RO" : "FCALL",
        name
      ];
      if (fn.NUMBER_OF_KEYS !== void 0) {
        prefix.push(fn.NUMBER_OF_KEYS.toString());
      }
      return prefix;
    }
    exports.functionArgumentsPrefix = functionArgumentsPrefix;
    function scriptArgumentsPrefix(script) {
      const prefix = [
        script.IS_READ_ONLY ? "EVALSHA_RO" : "EVALSHA",
        script.SHA1
      ];
      if (script.NUMBER_OF_KEYS !== void 0) {
        prefix.push(script.NUMBER_OF_KEYS.toString());
      }
      return prefix;
    }
    exports.scriptArgumentsPrefix = scriptArgumentsPrefix;
  }
});

// dist/lib/command-metadata/types.js
var require_types2 = __commonJS({
  "dist/lib/command-metadata/types.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.parseCommandName = void 0;
    function parseCommandName(fullCommandName) {
      const parts = fullCommandName.split(".");
      if (parts.length === 1)
        return { moduleName: "std", commandName: fullCommandName };
      if (parts.length === 2)
        return { moduleName: parts[0], commandName: parts[1] };
      return void 0;
    }
    exports.parseCommandName = parseCommandName;
  }
});

// dist/lib/command-metadata/command-metadata-data.js
var require_command_metadata_data = __commonJS({
  "dist/lib/command-metadata/command-metadata-data.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.COMMAND_METADATA = void 0;
    exports.COMMAND_METADATA = {
      "ft": {
        "aggregate": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "aliasadd": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write",
            "denyoom",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "aliasdel": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "aliaslist": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "aliasupdate": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write",
            "denyoom",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "alter": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write",
            "denyoom",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "create": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write",
            "denyoom",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "cursor": {
          "request": "special",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "subcommands": {
            "del": {
              "request": "special",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "readonly",
                "module"
              ],
              "tips": [
                "dont_cache"
              ]
            },
            "gc": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "readonly",
                "module"
              ],
              "tips": [
                "dont_cache"
              ]
            },
            "read": {
              "request": "special",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "readonly",
                "module"
              ],
              "tips": [
                "dont_cache"
              ]
            }
          }
        },
        "dictadd": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write",
            "denyoom",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "dictdel": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "dictdump": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "drop": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write",
            "module"
          ]
        },
        "dropindex": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "explain": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "explaincli": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "info": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "profile": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "search": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "spellcheck": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "sugadd": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "sugdel": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "sugget": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "suglen": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "syndump": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "synupdate": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write",
            "denyoom",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "tagvals": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        }
      },
      "bf": {
        "add": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "card": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "debug": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "exists": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "info": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "insert": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "loadchunk": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "madd": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "mexists": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "reserve": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "scandump": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ],
          "tips": [
            "dont_cache"
          ]
        }
      },
      "cf": {
        "add": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "addnx": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "compact": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "count": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "debug": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "del": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module",
            "fast"
          ]
        },
        "exists": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "info": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "insert": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "insertnx": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "loadchunk": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "mexists": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "reserve": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "scandump": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ],
          "tips": [
            "dont_cache"
          ]
        }
      },
      "cms": {
        "incrby": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "info": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "initbydim": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "initbyprob": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "merge": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "query": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        }
      },
      "json": {
        "arrappend": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "arrindex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "arrinsert": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "arrlen": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "arrpop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "arrtrim": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "clear": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "debug": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "movablekeys"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "del": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "forget": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "get": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "merge": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "mget": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "mset": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "numincrby": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "nummultby": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "numpowby": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "objkeys": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "objlen": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "resp": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "set": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "strappend": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "strlen": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "toggle": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "type": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        }
      },
      "std": {
        "vadd": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "vcard": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "vdim": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "vemb": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "vgetattr": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "vinfo": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "vismember": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "vlinks": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "fast"
          ]
        },
        "vrandmember": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "vrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "vrem": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "vsetattr": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module",
            "fast"
          ]
        },
        "vsim": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "acl": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "cat": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "deluser": {
              "request": "all_nodes",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "dryrun": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "genpass": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "getuser": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "list": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "load": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "log": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "save": {
              "request": "all_nodes",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "setuser": {
              "request": "all_nodes",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "users": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "whoami": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            }
          }
        },
        "append": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "arcount": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "ardel": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "ardelrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write"
          ]
        },
        "arget": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "argetrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "argrep": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "arinfo": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "arinsert": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "arlastitems": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "arlen": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "armget": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "armset": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "arnext": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "arop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "arring": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "arscan": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "arseek": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "arset": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "asking": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "fast"
          ]
        },
        "auth": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "noscript",
            "loading",
            "stale",
            "fast",
            "no_auth",
            "allow_busy"
          ]
        },
        "backup": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "abort": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript"
              ]
            },
            "cleanup": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "list": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale"
              ]
            },
            "seal": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript"
              ]
            },
            "start": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript"
              ]
            },
            "status": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale"
              ]
            }
          }
        },
        "bgrewriteaof": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "no_async_loading"
          ]
        },
        "bgsave": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "no_async_loading"
          ]
        },
        "bitcount": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "bitfield": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "bitfield_ro": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "bitop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "bitpos": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "bless": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "clear": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "write",
                "fast"
              ]
            },
            "get": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "fast"
              ]
            },
            "scan": {
              "request": "special",
              "response": "special",
              "isKeyless": true,
              "flags": [],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "set": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "write",
                "denyoom",
                "fast"
              ]
            }
          }
        },
        "blmove": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "blocking"
          ]
        },
        "blmovem": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "blocking"
          ]
        },
        "blmpop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "blocking",
            "movablekeys"
          ]
        },
        "blpop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "blocking"
          ]
        },
        "brpop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "blocking"
          ]
        },
        "brpoplpush": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "blocking"
          ]
        },
        "bzmpop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "blocking",
            "movablekeys"
          ]
        },
        "bzpopmax": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "blocking",
            "fast"
          ]
        },
        "bzpopmin": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "blocking",
            "fast"
          ]
        },
        "client": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "caching": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "getname": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "getredir": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "id": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "info": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "kill": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "list": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "no-evict": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "no-touch": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "pause": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "reply": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "setinfo": {
              "request": "all_nodes",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "setname": {
              "request": "all_nodes",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "tracking": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "trackinginfo": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "loading",
                "stale"
              ]
            },
            "unblock": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "unpause": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            }
          }
        },
        "cluster": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "addslots": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "addslotsrange": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "bumpepoch": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "count-failure-reports": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "countkeysinslot": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "stale"
              ]
            },
            "delslots": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "delslotsrange": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "failover": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "flushslots": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "forget": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "getkeysinslot": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "info": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "keyslot": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "links": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "meet": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "migration": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "myid": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "myshardid": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "nodes": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "replicas": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "replicate": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "reset": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "stale"
              ]
            },
            "saveconfig": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "set-config-epoch": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "setslot": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ]
            },
            "shards": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "slaves": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "slot-stats": {
              "request": "all_shards",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "slots": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "syncslots": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "stale",
                "no_async_loading"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            }
          }
        },
        "command": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "loading",
            "stale"
          ],
          "tips": [
            "nondeterministic_output_order"
          ],
          "subcommands": {
            "count": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "docs": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output_order"
              ]
            },
            "getkeys": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "getkeysandflags": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "info": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output_order"
              ]
            },
            "list": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output_order"
              ]
            }
          }
        },
        "config": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "get": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "resetstat": {
              "request": "all_nodes",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "rewrite": {
              "request": "all_nodes",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            },
            "set": {
              "request": "all_nodes",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            }
          }
        },
        "copy": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "dbsize": {
          "request": "all_shards",
          "response": "agg_sum",
          "isKeyless": true,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "debug": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "loading",
            "stale"
          ]
        },
        "decr": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "decrby": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "del": {
          "request": "multi_shard",
          "response": "agg_sum",
          "isKeyless": false,
          "flags": [
            "write"
          ],
          "keySpecs": [
            {
              "beginSearch": {
                "type": "index",
                "index": 1
              },
              "findKeys": {
                "type": "range",
                "lastKey": -1,
                "keyStep": 1,
                "limit": 0
              }
            }
          ]
        },
        "delex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "digest": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "discard": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "noscript",
            "loading",
            "stale",
            "fast",
            "allow_busy"
          ]
        },
        "dump": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "echo": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "loading",
            "stale",
            "fast"
          ]
        },
        "eval": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "noscript",
            "stale",
            "skip_monitor",
            "no_mandatory_keys",
            "movablekeys",
            "script_runner"
          ]
        },
        "eval_ro": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "noscript",
            "stale",
            "skip_monitor",
            "no_mandatory_keys",
            "movablekeys",
            "script_runner"
          ]
        },
        "evalsha": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "noscript",
            "stale",
            "skip_monitor",
            "no_mandatory_keys",
            "movablekeys",
            "script_runner"
          ]
        },
        "evalsha_ro": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "noscript",
            "stale",
            "skip_monitor",
            "no_mandatory_keys",
            "movablekeys",
            "script_runner"
          ]
        },
        "exec": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "noscript",
            "loading",
            "stale",
            "skip_slowlog"
          ]
        },
        "exists": {
          "request": "multi_shard",
          "response": "agg_sum",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ],
          "keySpecs": [
            {
              "beginSearch": {
                "type": "index",
                "index": 1
              },
              "findKeys": {
                "type": "range",
                "lastKey": -1,
                "keyStep": 1,
                "limit": 0
              }
            }
          ]
        },
        "expire": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "expireat": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "expiretime": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "failover": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "stale"
          ]
        },
        "fcall": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "noscript",
            "stale",
            "skip_monitor",
            "no_mandatory_keys",
            "movablekeys",
            "script_runner"
          ]
        },
        "fcall_ro": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "noscript",
            "stale",
            "skip_monitor",
            "no_mandatory_keys",
            "movablekeys",
            "script_runner"
          ]
        },
        "flushall": {
          "request": "all_shards",
          "response": "all_succeeded",
          "isKeyless": true,
          "flags": [
            "write"
          ]
        },
        "flushdb": {
          "request": "all_shards",
          "response": "all_succeeded",
          "isKeyless": true,
          "flags": [
            "write"
          ]
        },
        "function": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "delete": {
              "request": "all_shards",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "write",
                "noscript"
              ]
            },
            "dump": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript"
              ]
            },
            "flush": {
              "request": "all_shards",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "write",
                "noscript"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "kill": {
              "request": "all_shards",
              "response": "one_succeeded",
              "isKeyless": true,
              "flags": [
                "noscript",
                "allow_busy"
              ]
            },
            "list": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript"
              ],
              "tips": [
                "nondeterministic_output_order"
              ]
            },
            "load": {
              "request": "all_shards",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "write",
                "denyoom",
                "noscript"
              ]
            },
            "restore": {
              "request": "all_shards",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "write",
                "denyoom",
                "noscript"
              ]
            },
            "stats": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript",
                "allow_busy"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            }
          }
        },
        "geoadd": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "geodist": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "geohash": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "geopos": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "georadius": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "movablekeys"
          ]
        },
        "georadius_ro": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "georadiusbymember": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "movablekeys"
          ]
        },
        "georadiusbymember_ro": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "geosearch": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "geosearchstore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "get": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "getbit": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "getdel": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "getex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "getrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "getset": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "hdel": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "hello": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "noscript",
            "loading",
            "stale",
            "fast",
            "no_auth",
            "allow_busy"
          ]
        },
        "hexists": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "hexpire": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "hexpireat": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "hexpiretime": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "hget": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "hgetall": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output_order"
          ]
        },
        "hgetdel": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "hgetex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "himport": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "discard": {
              "request": "all_shards",
              "response": "agg_max",
              "isKeyless": true,
              "flags": []
            },
            "discardall": {
              "request": "all_shards",
              "response": "agg_max",
              "isKeyless": true,
              "flags": []
            },
            "prepare": {
              "request": "all_shards",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "denyoom"
              ]
            },
            "set": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "write",
                "denyoom"
              ]
            }
          }
        },
        "hincrby": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "hincrbyfloat": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "hkeys": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output_order"
          ]
        },
        "hlen": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "hmget": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "hmset": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "hotkeys": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "get": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "reset": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript"
              ]
            },
            "start": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript"
              ]
            },
            "stop": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript"
              ]
            }
          }
        },
        "hpersist": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "hpexpire": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "hpexpireat": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "hpexpiretime": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "hpttl": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "hrandfield": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "hscan": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "hset": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "hsetex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "hsetnx": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "hstrlen": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "httl": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "hvals": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output_order"
          ]
        },
        "incr": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "incrby": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "incrbyfloat": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "increx": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "info": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "loading",
            "stale"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "keys": {
          "request": "all_shards",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output_order"
          ]
        },
        "lastsave": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "loading",
            "stale",
            "fast"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "latency": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "doctor": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "graph": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "histogram": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "history": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "latest": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "reset": {
              "request": "all_nodes",
              "response": "agg_sum",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "loading",
                "stale"
              ]
            }
          }
        },
        "lcs": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "lindex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "linsert": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "llen": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "lmove": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "lmovem": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "lmpop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "movablekeys"
          ]
        },
        "lolwut": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "lpop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "lpos": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "lpush": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "lpushx": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "lrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "lrem": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write"
          ]
        },
        "lset": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "ltrim": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write"
          ]
        },
        "memory": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "doctor": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "malloc-stats": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "purge": {
              "request": "all_shards",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": []
            },
            "stats": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "usage": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "readonly"
              ]
            }
          }
        },
        "mget": {
          "request": "multi_shard",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ],
          "keySpecs": [
            {
              "beginSearch": {
                "type": "index",
                "index": 1
              },
              "findKeys": {
                "type": "range",
                "lastKey": -1,
                "keyStep": 1,
                "limit": 0
              }
            }
          ]
        },
        "migrate": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "movablekeys"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "module": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "list": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript"
              ],
              "tips": [
                "nondeterministic_output_order"
              ]
            },
            "load": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "no_async_loading"
              ]
            },
            "loadex": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "no_async_loading"
              ]
            },
            "unload": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "noscript",
                "no_async_loading"
              ]
            }
          }
        },
        "monitor": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "loading",
            "stale"
          ]
        },
        "move": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "mset": {
          "request": "multi_shard",
          "response": "all_succeeded",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ],
          "keySpecs": [
            {
              "beginSearch": {
                "type": "index",
                "index": 1
              },
              "findKeys": {
                "type": "range",
                "lastKey": -1,
                "keyStep": 2,
                "limit": 0
              }
            }
          ]
        },
        "msetex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "movablekeys"
          ]
        },
        "msetnx": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "multi": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "noscript",
            "loading",
            "stale",
            "fast",
            "allow_busy"
          ]
        },
        "object": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "encoding": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "readonly"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "freq": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "readonly"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "idletime": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "readonly"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "refcount": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "readonly"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            }
          }
        },
        "persist": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "pexpire": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "pexpireat": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "pexpiretime": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "pfadd": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "pfcount": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "pfdebug": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "admin"
          ]
        },
        "pfmerge": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "pfselftest": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin"
          ]
        },
        "ping": {
          "request": "all_shards",
          "response": "all_succeeded",
          "isKeyless": true,
          "flags": [
            "fast"
          ]
        },
        "psetex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "psubscribe": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "denyoom",
            "pubsub",
            "noscript",
            "loading",
            "stale"
          ]
        },
        "psync": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "no_async_loading",
            "no_multi"
          ]
        },
        "pttl": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "publish": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "pubsub",
            "loading",
            "stale",
            "fast"
          ]
        },
        "pubsub": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "channels": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "pubsub",
                "loading",
                "stale"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "numpat": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "pubsub",
                "loading",
                "stale"
              ]
            },
            "numsub": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "pubsub",
                "loading",
                "stale"
              ]
            },
            "shardchannels": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "pubsub",
                "loading",
                "stale"
              ]
            },
            "shardnumsub": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "pubsub",
                "loading",
                "stale"
              ]
            }
          }
        },
        "punsubscribe": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "pubsub",
            "noscript",
            "loading",
            "stale"
          ]
        },
        "quit": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "noscript",
            "loading",
            "stale",
            "fast",
            "no_auth",
            "allow_busy"
          ]
        },
        "randomkey": {
          "request": "all_shards",
          "response": "special",
          "isKeyless": true,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "readonly": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "loading",
            "stale",
            "fast"
          ]
        },
        "readwrite": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "loading",
            "stale",
            "fast"
          ]
        },
        "rename": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write"
          ]
        },
        "renamenx": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "replconf": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "loading",
            "stale",
            "allow_busy"
          ]
        },
        "replicaof": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "stale",
            "no_async_loading"
          ]
        },
        "reset": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "noscript",
            "loading",
            "stale",
            "fast",
            "no_auth",
            "allow_busy"
          ]
        },
        "restore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "restore-asking": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "asking"
          ]
        },
        "role": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "noscript",
            "loading",
            "stale",
            "fast"
          ]
        },
        "rpop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "rpoplpush": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "rpush": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "rpushx": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "sadd": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "save": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "no_async_loading",
            "no_multi"
          ]
        },
        "scan": {
          "request": "special",
          "response": "special",
          "isKeyless": true,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "scard": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "script": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "debug": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "noscript"
              ]
            },
            "exists": {
              "request": "all_shards",
              "response": "agg_logical_and",
              "isKeyless": true,
              "flags": [
                "noscript"
              ]
            },
            "flush": {
              "request": "all_nodes",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "noscript"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "kill": {
              "request": "all_shards",
              "response": "one_succeeded",
              "isKeyless": true,
              "flags": [
                "noscript",
                "allow_busy"
              ]
            },
            "load": {
              "request": "all_nodes",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "noscript",
                "stale"
              ]
            }
          }
        },
        "sdiff": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output_order"
          ]
        },
        "sdiffcard": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "movablekeys"
          ]
        },
        "sdiffstore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "select": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "loading",
            "stale",
            "fast"
          ]
        },
        "set": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "setbit": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "setex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "setnx": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "setrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "shutdown": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "loading",
            "stale",
            "no_multi",
            "allow_busy"
          ]
        },
        "sinter": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output_order"
          ]
        },
        "sintercard": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "movablekeys"
          ]
        },
        "sinterstore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "sismember": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "slaveof": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "stale",
            "no_async_loading"
          ]
        },
        "slowlog": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "get": {
              "request": "all_nodes",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "admin",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "len": {
              "request": "all_nodes",
              "response": "agg_sum",
              "isKeyless": true,
              "flags": [
                "admin",
                "loading",
                "stale"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "reset": {
              "request": "all_nodes",
              "response": "all_succeeded",
              "isKeyless": true,
              "flags": [
                "admin",
                "loading",
                "stale"
              ]
            }
          }
        },
        "smembers": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output_order"
          ]
        },
        "smismember": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "smove": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "sort": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "movablekeys"
          ]
        },
        "sort_ro": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "movablekeys"
          ]
        },
        "spop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "spublish": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "pubsub",
            "loading",
            "stale",
            "fast"
          ]
        },
        "srandmember": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "srem": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "sscan": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "ssubscribe": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "denyoom",
            "pubsub",
            "noscript",
            "loading",
            "stale"
          ]
        },
        "strlen": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "subscribe": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "denyoom",
            "pubsub",
            "noscript",
            "loading",
            "stale"
          ]
        },
        "substr": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "sunion": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output_order"
          ]
        },
        "sunioncard": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "movablekeys"
          ]
        },
        "sunionstore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "sunsubscribe": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "pubsub",
            "noscript",
            "loading",
            "stale"
          ]
        },
        "swapdb": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write",
            "fast"
          ]
        },
        "sync": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "admin",
            "noscript",
            "no_async_loading",
            "no_multi"
          ]
        },
        "time": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "loading",
            "stale",
            "fast"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "touch": {
          "request": "multi_shard",
          "response": "agg_sum",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ],
          "keySpecs": [
            {
              "beginSearch": {
                "type": "index",
                "index": 1
              },
              "findKeys": {
                "type": "range",
                "lastKey": -1,
                "keyStep": 1,
                "limit": 0
              }
            }
          ]
        },
        "trimslots": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "write"
          ]
        },
        "ttl": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "type": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "unlink": {
          "request": "multi_shard",
          "response": "agg_sum",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ],
          "keySpecs": [
            {
              "beginSearch": {
                "type": "index",
                "index": 1
              },
              "findKeys": {
                "type": "range",
                "lastKey": -1,
                "keyStep": 1,
                "limit": 0
              }
            }
          ]
        },
        "unsubscribe": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "pubsub",
            "noscript",
            "loading",
            "stale"
          ]
        },
        "unwatch": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "noscript",
            "loading",
            "stale",
            "fast",
            "allow_busy"
          ]
        },
        "wait": {
          "request": "all_shards",
          "response": "agg_min",
          "isKeyless": true,
          "flags": [
            "blocking"
          ]
        },
        "waitaof": {
          "request": "all_shards",
          "response": "agg_min",
          "isKeyless": true,
          "flags": [
            "blocking"
          ]
        },
        "watch": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "noscript",
            "loading",
            "stale",
            "fast",
            "allow_busy"
          ]
        },
        "xack": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "xackdel": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "xadd": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "xautoclaim": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "xcfgset": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "xclaim": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "xdel": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "xdelex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "xgroup": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "create": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "write",
                "denyoom"
              ]
            },
            "createconsumer": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "write",
                "denyoom"
              ]
            },
            "delconsumer": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "write"
              ]
            },
            "destroy": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "write"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "setid": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "write"
              ]
            }
          }
        },
        "xidmprecord": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "xinfo": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [],
          "subcommands": {
            "consumers": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "readonly"
              ],
              "tips": [
                "nondeterministic_output"
              ]
            },
            "groups": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "readonly"
              ]
            },
            "help": {
              "request": "default-keyless",
              "response": "default-keyless",
              "isKeyless": true,
              "flags": [
                "loading",
                "stale"
              ]
            },
            "stream": {
              "request": "default-keyed",
              "response": "default-keyed",
              "isKeyless": false,
              "flags": [
                "readonly"
              ]
            }
          }
        },
        "xlen": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "xnack": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "xpending": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "xrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "xread": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "blocking",
            "movablekeys"
          ]
        },
        "xreadgroup": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "blocking",
            "movablekeys"
          ]
        },
        "xrevrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "xsetid": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "xtrim": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "zadd": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "zcard": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "zcount": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "zdiff": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "movablekeys"
          ]
        },
        "zdiffstore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "movablekeys"
          ]
        },
        "zincrby": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "fast"
          ]
        },
        "zinter": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "movablekeys"
          ]
        },
        "zintercard": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "movablekeys"
          ]
        },
        "zinterstore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "movablekeys"
          ]
        },
        "zlexcount": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "zmpop": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "movablekeys"
          ]
        },
        "zmscore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "zpopmax": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "zpopmin": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "zrandmember": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "zrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "zrangebylex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "zrangebyscore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "zrangestore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom"
          ]
        },
        "zrank": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "zrem": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "fast"
          ]
        },
        "zremrangebylex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write"
          ]
        },
        "zremrangebyrank": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write"
          ]
        },
        "zremrangebyscore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write"
          ]
        },
        "zrevrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "zrevrangebylex": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "zrevrangebyscore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ]
        },
        "zrevrank": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "zscan": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly"
          ],
          "tips": [
            "nondeterministic_output"
          ]
        },
        "zscore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "fast"
          ]
        },
        "zunion": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "movablekeys"
          ]
        },
        "zunionstore": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "movablekeys"
          ]
        }
      },
      "tdigest": {
        "add": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "byrank": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "byrevrank": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "cdf": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "create": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "info": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "max": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "merge": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module",
            "movablekeys"
          ]
        },
        "min": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "quantile": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "rank": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "reset": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "revrank": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "trimmed_mean": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        }
      },
      "timeseries": {
        "refreshcluster": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module",
            "noscript"
          ]
        }
      },
      "topk": {
        "add": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "count": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "incrby": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "info": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "list": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "query": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "reserve": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        }
      },
      "ts": {
        "add": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "alter": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "create": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "createrule": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module",
            "fast"
          ]
        },
        "decrby": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "del": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "deleterule": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "module"
          ]
        },
        "get": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "incrby": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "info": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "madd": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "write",
            "denyoom",
            "module"
          ]
        },
        "mget": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "mrange": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "mrevrange": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "nrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "movablekeys"
          ]
        },
        "nrevrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module",
            "movablekeys"
          ]
        },
        "queryindex": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "querylabels": {
          "request": "default-keyless",
          "response": "default-keyless",
          "isKeyless": true,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "range": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        },
        "read": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ],
          "tips": [
            "dont_cache"
          ]
        },
        "revrange": {
          "request": "default-keyed",
          "response": "default-keyed",
          "isKeyless": false,
          "flags": [
            "readonly",
            "module"
          ]
        }
      }
    };
  }
});

// dist/lib/command-metadata/static-metadata-resolver.js
var require_static_metadata_resolver = __commonJS({
  "dist/lib/command-metadata/static-metadata-resolver.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.StaticMetadataResolver = void 0;
    var types_1 = require_types2();
    var command_metadata_data_1 = require_command_metadata_data();
    var lowercaseCommandMetadata = (metadata) => {
      if (!metadata.subcommands)
        return metadata;
      const subcommands = /* @__PURE__ */ Object.create(null);
      for (const [name, sub] of Object.entries(metadata.subcommands)) {
        subcommands[name.toLowerCase()] = lowercaseCommandMetadata(sub);
      }
      return { ...metadata, subcommands };
    };
    var lowercaseModuleMetadata = (metadata) => {
      const out = /* @__PURE__ */ Object.create(null);
      for (const [moduleName, commands] of Object.entries(metadata)) {
        const normalized = /* @__PURE__ */ Object.create(null);
        for (const [commandName, entry] of Object.entries(commands)) {
          normalized[commandName.toLowerCase()] = lowercaseCommandMetadata(entry);
        }
        out[moduleName.toLowerCase()] = normalized;
      }
      return out;
    };
    var StaticMetadataResolver = class {
      fallbackResolver = null;
      policies;
      constructor(policies = command_metadata_data_1.COMMAND_METADATA, fallbackResolver) {
        this.policies = lowercaseModuleMetadata(policies);
        this.fallbackResolver = fallbackResolver || null;
      }
      /**
       * Convenience over `resolvePolicy` for the override-first predicate readers:
       * returns the resolved metadata or `undefined` on any miss.
       */
      lookup(commandIdentifier) {
        const result = this.resolvePolicy(commandIdentifier);
        return result.ok ? result.value : void 0;
      }
      resolvePolicy(commandIdentifier) {
        const parsed = (0, types_1.parseCommandName)(commandIdentifier.command.toLowerCase());
        if (!parsed) {
          return { ok: false, error: "wrong-command-or-module-name" };
        }
        const { moduleName, commandName } = parsed;
        if (!this.policies[moduleName]) {
          if (this.fallbackResolver) {
            return this.fallbackResolver.resolvePolicy(commandIdentifier);
          }
          if (moduleName === "std") {
            return { ok: false, error: "unknown-command" };
          }
          return { ok: false, error: "unknown-module" };
        }
        if (!this.policies[moduleName][commandName]) {
          if (this.fallbackResolver) {
            return this.fallbackResolver.resolvePolicy(commandIdentifier);
          }
          return { ok: false, error: "unknown-command" };
        }
        const policy = this.policies[moduleName][commandName];
        if (policy.subcommands && commandIdentifier.subcommand !== void 0) {
          const subcommandPolicy = policy.subcommands[commandIdentifier.subcommand.toLowerCase()];
          if (subcommandPolicy) {
            return {
              ok: true,
              value: subcommandPolicy
            };
          }
        }
        return {
          ok: true,
          value: policy
        };
      }
    };
    exports.StaticMetadataResolver = StaticMetadataResolver;
  }
});

// dist/lib/command-metadata/policies-constants.js
var require_policies_constants = __commonJS({
  "dist/lib/command-metadata/policies-constants.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.defaultCommandPolicies = exports.RESPONSE_POLICIES_WITH_DEFAULTS = exports.REQUEST_POLICIES_WITH_DEFAULTS = void 0;
    exports.REQUEST_POLICIES_WITH_DEFAULTS = {
      /**
       * The client should execute the command on all nodes - masters and replicas alike.
       * This tip is in-use by commands that don't accept key name arguments.
       * The command operates atomically per shard.
       */
      ALL_NODES: "all_nodes",
      /**
       * The client should execute the command on all master shards (e.g., the DBSIZE command).
       * This tip is in-use by commands that don't accept key name arguments.
       * The command operates atomically per shard.
       */
      ALL_SHARDS: "all_shards",
      /**
       * The client should execute the command on several shards.
       * The client should split the inputs according to the hash slots of its input key name arguments.
       * For example, the command DEL {foo} {foo}1 bar should be split to DEL {foo} {foo}1 and DEL bar.
       * If the keys are hashed to more than a single slot,
       * the command must be split even if all the slots are managed by the same shard.
       * Examples for such commands include MSET, MGET and DEL.
       * However, note that SUNIONSTORE isn't considered as multi_shard because all of its keys must belong to the same hash slot.
       */
      MULTI_SHARD: "multi_shard",
      /**
       * Indicates a non-trivial form of the client's request policy, such as the SCAN command.
       */
      SPECIAL: "special",
      /**
       * The default behavior a client should implement for commands without the request_policy tip is as follows:
       *
       * 1. The command doesn't accept key name arguments:
       * the client can execute the command on an arbitrary shard.
       */
      DEFAULT_KEYLESS: "default-keyless",
      /**
       * The default behavior a client should implement for commands without the request_policy tip is as follows:
       *
       * 2. For commands that accept one or more key name arguments:
       * the client should route the command to a single shard,
       * as determined by the hash slot of the input keys.
       */
      DEFAULT_KEYED: "default-keyed"
    };
    exports.RESPONSE_POLICIES_WITH_DEFAULTS = {
      /**
       * The client should return success if at least one shard didn't reply with an error.
       * The client should reply with the first non-error reply it obtains.
       * If all shards return an error, the client can reply with any one of these.
       * Example: SCRIPT KILL command that's sent to all shards.
       */
      ONE_SUCCEEDED: "one_succeeded",
      /**
       * The client should return successfully only if there are no error replies.
       * Even a single error reply should disqualify the aggregate and be returned.
       * Otherwise, the client should return one of the non-error replies.
       * Examples: CONFIG SET, SCRIPT FLUSH and SCRIPT LOAD commands.
       */
      ALL_SUCCEEDED: "all_succeeded",
      /**
       * The client should return the result of a logical AND operation on all replies.
       * Only applies to integer replies, usually from commands that return either 0 or 1.
       * Example: SCRIPT EXISTS command returns 1 only when all shards report that a given script SHA1 sum is in their cache.
       */
      AGG_LOGICAL_AND: "agg_logical_and",
      /**
       * The client should return the result of a logical OR operation on all replies.
       * Only applies to integer replies, usually from commands that return either 0 or 1.
       */
      AGG_LOGICAL_OR: "agg_logical_or",
      /**
       * The client should return the minimal value from the replies.
       * Only applies to numerical replies.
       * Example: WAIT command should return the minimal number of synchronized replicas from all shards.
       */
      AGG_MIN: "agg_min",
      /**
       * The client should return the maximal value from the replies.
       * Only applies to numerical replies.
       */
      AGG_MAX: "agg_max",
      /**
       * The client should return the sum of replies.
       * Only applies to numerical replies.
       * Example: DBSIZE command.
       */
      AGG_SUM: "agg_sum",
      /**
       * Indicates a non-trivial form of reply policy.
       * Example: INFO command with complex aggregation logic.
       */
      SPECIAL: "special",
      /**
       * The default behavior for commands without a response_policy tip that don't accept key name arguments:
       * the client can aggregate all replies within a single nested data structure.
       * Example: KEYS command replies should be packed in a single array in no particular order.
       */
      DEFAULT_KEYLESS: "default-keyless",
      /**
       * The default behavior for commands without a response_policy tip that accept one or more key name arguments:
       * the client needs to retain the same order of replies as the input key names.
       * Example: MGET's aggregated reply should maintain key order.
       */
      DEFAULT_KEYED: "default-keyed"
    };
    function defaultCommandPolicies(isKeyless) {
      return isKeyless ? { request: exports.REQUEST_POLICIES_WITH_DEFAULTS.DEFAULT_KEYLESS, response: exports.RESPONSE_POLICIES_WITH_DEFAULTS.DEFAULT_KEYLESS, isKeyless: true } : { request: exports.REQUEST_POLICIES_WITH_DEFAULTS.DEFAULT_KEYED, response: exports.RESPONSE_POLICIES_WITH_DEFAULTS.DEFAULT_KEYED, isKeyless: false };
    }
    exports.defaultCommandPolicies = defaultCommandPolicies;
  }
});

// dist/lib/command-metadata/dynamic-policy-resolver-factory.js
var require_dynamic_policy_resolver_factory = __commonJS({
  "dist/lib/command-metadata/dynamic-policy-resolver-factory.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.DynamicPolicyResolverFactory = void 0;
    var policies_constants_1 = require_policies_constants();
    var types_1 = require_types2();
    var static_metadata_resolver_1 = require_static_metadata_resolver();
    var DynamicPolicyResolverFactory = class _DynamicPolicyResolverFactory {
      /**
       * Creates a StaticMetadataResolver by fetching command information from Redis
       * and building appropriate policies based on the command characteristics.
       *
       * @param commandFetcher Function to fetch command information from Redis
       * @param fallbackResolver Optional fallback resolver to use when policies are not found
       * @returns A new StaticMetadataResolver with the fetched policies
       */
      static async create(commandFetcher, fallbackResolver) {
        const commands = await commandFetcher();
        const policies = _DynamicPolicyResolverFactory.buildModuleMetadataRecords(commands);
        return new static_metadata_resolver_1.StaticMetadataResolver(policies, fallbackResolver);
      }
      /**
       * Builds module->command policy records from COMMAND replies.
       *
       * Also used by `scripts/generate-command-metadata-data.ts` to regenerate
       * `command-metadata-data.ts`, so the static data is guaranteed to match what
       * this factory would derive at runtime.
       */
      static buildModuleMetadataRecords(commands) {
        const policies = {};
        for (const command of commands) {
          const parsed = (0, types_1.parseCommandName)(command.name);
          if (!parsed) {
            continue;
          }
          const { moduleName, commandName } = parsed;
          if (!policies[moduleName]) {
            policies[moduleName] = {};
          }
          const commandPolicies = _DynamicPolicyResolverFactory.#buildCommandPolicies(command);
          policies[moduleName][commandName] = commandPolicies;
        }
        return policies;
      }
      /**
       * Builds CommandMetadata for a command based on its characteristics.
       *
       * Priority order:
       * 1. Use explicit policies from the command if available
       * 2. Classify as DEFAULT_KEYLESS if keySpecification is empty
       * 3. Classify as DEFAULT_KEYED if keySpecification is not empty
       */
      static #buildCommandPolicies(command) {
        const isKeyless = command.isKeyless;
        const defaults = (0, policies_constants_1.defaultCommandPolicies)(isKeyless);
        let subcommands;
        if (command.subcommands.length > 0) {
          subcommands = {};
          for (const subcommand of command.subcommands) {
            const parts = subcommand.name.split("|");
            if (parts.length !== 2) {
              throw new Error(`Invalid subcommand name: ${subcommand.name}`);
            }
            const subcommandName = parts[1];
            subcommands[subcommandName] = _DynamicPolicyResolverFactory.#buildCommandPolicies(subcommand);
          }
        }
        const request = command.policies.request ?? defaults.request;
        return {
          request,
          response: command.policies.response ?? defaults.response,
          isKeyless,
          // Mirror the raw server signals verbatim. Derivation (replica-safety,
          // CSC eligibility) is NOT precomputed here — it lives in the
          // `isReplicaSafe` / `isCacheable` predicates, so the static table and a
          // dynamic live-`COMMAND` resolver feed the identical algorithm.
          flags: [...command.flags],
          tips: command.tips.length ? command.tips : void 0,
          // Only the multi_shard splitter consumes key specs. This builder also
          // produces command-metadata-data.ts, so copying them unconditionally
          // would pollute the generated data with specs nothing reads
          // (~tripling the file).
          keySpecs: request === policies_constants_1.REQUEST_POLICIES_WITH_DEFAULTS.MULTI_SHARD ? command.keySpecs : void 0,
          subcommands
        };
      }
    };
    exports.DynamicPolicyResolverFactory = DynamicPolicyResolverFactory;
  }
});

// dist/lib/command-metadata/predicates.js
var require_predicates = __commonJS({
  "dist/lib/command-metadata/predicates.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.isCacheable = exports.isReplicaSafe = void 0;
    function isReplicaSafe(meta, override) {
      if (override !== void 0)
        return override;
      if (!meta?.flags)
        return false;
      if (meta.flags.includes("write"))
        return false;
      if (meta.flags.includes("script_runner"))
        return false;
      return !meta.isKeyless;
    }
    exports.isReplicaSafe = isReplicaSafe;
    function isCacheable(meta, override) {
      if (override !== void 0)
        return override;
      if (!meta?.flags)
        return false;
      const tips = meta.tips ?? [];
      return !tips.includes("dont_cache") && meta.flags.includes("readonly") && !meta.isKeyless && !tips.includes("nondeterministic_output") && !meta.flags.includes("script_runner") && !meta.flags.includes("blocking");
    }
    exports.isCacheable = isCacheable;
  }
});

// dist/lib/command-metadata/index.js
var require_command_metadata = __commonJS({
  "dist/lib/command-metadata/index.js"(exports) {
    "use strict";
    var __createBinding = exports && exports.__createBinding || (Object.create ? (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      var desc = Object.getOwnPropertyDescriptor(m, k);
      if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
        desc = { enumerable: true, get: function() {
          return m[k];
        } };
      }
      Object.defineProperty(o, k2, desc);
    }) : (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      o[k2] = m[k];
    }));
    var __exportStar = exports && exports.__exportStar || function(m, exports2) {
      for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports2, p)) __createBinding(exports2, m, p);
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.defaultCommandMetadata = exports.COMMAND_METADATA = exports.isCacheable = exports.isReplicaSafe = exports.DynamicPolicyResolverFactory = exports.StaticMetadataResolver = void 0;
    var static_metadata_resolver_1 = require_static_metadata_resolver();
    Object.defineProperty(exports, "StaticMetadataResolver", { enumerable: true, get: function() {
      return static_metadata_resolver_1.StaticMetadataResolver;
    } });
    var dynamic_policy_resolver_factory_1 = require_dynamic_policy_resolver_factory();
    Object.defineProperty(exports, "DynamicPolicyResolverFactory", { enumerable: true, get: function() {
      return dynamic_policy_resolver_factory_1.DynamicPolicyResolverFactory;
    } });
    __exportStar(require_policies_constants(), exports);
    var predicates_1 = require_predicates();
    Object.defineProperty(exports, "isReplicaSafe", { enumerable: true, get: function() {
      return predicates_1.isReplicaSafe;
    } });
    Object.defineProperty(exports, "isCacheable", { enumerable: true, get: function() {
      return predicates_1.isCacheable;
    } });
    var command_metadata_data_1 = require_command_metadata_data();
    Object.defineProperty(exports, "COMMAND_METADATA", { enumerable: true, get: function() {
      return command_metadata_data_1.COMMAND_METADATA;
    } });
    var static_metadata_resolver_2 = require_static_metadata_resolver();
    var command_metadata_data_2 = require_command_metadata_data();
    exports.defaultCommandMetadata = new static_metadata_resolver_2.StaticMetadataResolver(command_metadata_data_2.COMMAND_METADATA);
  }
});

// dist/lib/multi-command.js
var require_multi_command = __commonJS({
  "dist/lib/multi-command.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    var errors_1 = require_errors();
    var RedisMultiCommand = class {
      typeMapping;
      constructor(typeMapping) {
        this.typeMapping = typeMapping;
      }
      queue = [];
      scriptsInUse = /* @__PURE__ */ new Set();
      addCommand(args, transformReply) {
        this.queue.push({
          args,
          transformReply
        });
      }
      addScript(script, args, transformReply) {
        const redisArgs = [];
        redisArgs.preserve = args.preserve;
        if (this.scriptsInUse.has(script.SHA1)) {
          redisArgs.push("EVALSHA", script.SHA1);
        } else {
          this.scriptsInUse.add(script.SHA1);
          redisArgs.push("EVAL", script.SCRIPT);
        }
        if (script.NUMBER_OF_KEYS !== void 0) {
          redisArgs.push(script.NUMBER_OF_KEYS.toString());
        }
        redisArgs.push(...args);
        this.addCommand(redisArgs, transformReply);
      }
      transformReplies(rawReplies) {
        const errorIndexes = [], replies = rawReplies.map((reply, i) => {
          if (reply instanceof errors_1.ErrorReply) {
            errorIndexes.push(i);
            return reply;
          }
          const { transformReply, args } = this.queue[i];
          return transformReply ? transformReply(reply, args.preserve, this.typeMapping) : reply;
        });
        if (errorIndexes.length)
          throw new errors_1.MultiErrorReply(replies, errorIndexes);
        return replies;
      }
    };
    exports.default = RedisMultiCommand;
  }
});

// dist/lib/client/parser.js
var require_parser = __commonJS({
  "dist/lib/client/parser.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.BasicCommandParser = exports.prefixKeys = exports.prefixKey = void 0;
    function prefixKey(keyPrefix, key) {
      if (keyPrefix === void 0)
        return key;
      if (typeof keyPrefix === "string" && typeof key === "string") {
        return keyPrefix + key;
      }
      return Buffer.concat([
        typeof keyPrefix === "string" ? Buffer.from(keyPrefix) : keyPrefix,
        typeof key === "string" ? Buffer.from(key) : key
      ]);
    }
    exports.prefixKey = prefixKey;
    function prefixKeys(keyPrefix, keys) {
      return Array.isArray(keys) ? keys.map((key) => prefixKey(keyPrefix, key)) : [prefixKey(keyPrefix, keys)];
    }
    exports.prefixKeys = prefixKeys;
    var BasicCommandParser = class {
      #redisArgs = [];
      #keys = [];
      #keyPrefix;
      #commandIdentifier;
      preserve;
      /**
       * @param keyPrefix Optional prefix prepended to every key pushed via
       * `pushKey`/`pushKeys`/`pushKeysLength`. Empty values are treated as "no prefix".
       */
      constructor(keyPrefix) {
        this.#keyPrefix = keyPrefix === void 0 || keyPrefix.length === 0 ? void 0 : keyPrefix;
      }
      get redisArgs() {
        return this.#redisArgs;
      }
      get keys() {
        return this.#keys;
      }
      get firstKey() {
        return this.#keys[0];
      }
      get cacheKey() {
        const tmp = new Array(this.#redisArgs.length * 2);
        for (let i = 0; i < this.#redisArgs.length; i++) {
          tmp[i] = this.#redisArgs[i].length;
          tmp[i + this.#redisArgs.length] = this.#redisArgs[i];
        }
        return tmp.join("_");
      }
      // Memoized: read only after the command is fully parsed, and consumed up to
      // three times per cluster command (policy resolution + both post-reply
      // hooks) — each evaluation would otherwise re-decode Buffer args.
      get commandIdentifier() {
        if (this.#commandIdentifier)
          return this.#commandIdentifier;
        const rawCommand = this.#redisArgs[0];
        const rawSubcommand = this.#redisArgs[1];
        const command = rawCommand instanceof Buffer ? rawCommand.toString() : rawCommand;
        const subcommand = rawSubcommand === void 0 ? void 0 : rawSubcommand instanceof Buffer ? rawSubcommand.toString() : rawSubcommand;
        return this.#commandIdentifier = { command, subcommand };
      }
      push(...arg) {
        this.#redisArgs.push(...arg);
      }
      pushVariadic(vals) {
        if (Array.isArray(vals)) {
          for (const val of vals) {
            this.push(val);
          }
        } else {
          this.push(vals);
        }
      }
      pushVariadicWithLength(vals) {
        if (Array.isArray(vals)) {
          this.#redisArgs.push(vals.length.toString());
        } else {
          this.#redisArgs.push("1");
        }
        this.pushVariadic(vals);
      }
      pushVariadicNumber(vals) {
        if (Array.isArray(vals)) {
          for (const val of vals) {
            this.push(val.toString());
          }
        } else {
          this.push(vals.toString());
        }
      }
      /**
       * Registers a key as both a routing key (`keys`) and a wire argument (`redisArgs`),
       * prepending `keyPrefix` when `applyPrefix` is true.
       */
      #addKey(key, applyPrefix) {
        const finalKey = applyPrefix ? prefixKey(this.#keyPrefix, key) : key;
        this.#keys.push(finalKey);
        this.#redisArgs.push(finalKey);
      }
      pushKey(key, applyPrefix = true) {
        this.#addKey(key, applyPrefix);
      }
      /**
       * Records a routing key whose value is already present in the pushed args,
       * without appending it again. Used by the raw cluster `sendCommand` path,
       * where the caller supplies the routing key separately from the full,
       * already-assembled argument list — so `firstKey` resolves for routing while
       * `redisArgs` stays an exact copy of the command sent on the wire.
       */
      markRoutingKey(key) {
        this.#keys.push(key);
      }
      pushKeysLength(keys) {
        if (Array.isArray(keys)) {
          this.#redisArgs.push(keys.length.toString());
        } else {
          this.#redisArgs.push("1");
        }
        this.pushKeys(keys);
      }
      pushKeys(keys) {
        if (Array.isArray(keys)) {
          for (const key of keys) {
            this.#addKey(key, true);
          }
        } else {
          this.#addKey(keys, true);
        }
      }
    };
    exports.BasicCommandParser = BasicCommandParser;
  }
});

// dist/lib/client/multi-command.js
var require_multi_command2 = __commonJS({
  "dist/lib/client/multi-command.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    var commands_1 = __importDefault(require_commands());
    var multi_command_1 = __importDefault(require_multi_command());
    var commander_1 = require_commander();
    var parser_1 = require_parser();
    var RedisClientMultiCommand = class _RedisClientMultiCommand {
      static #createCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this.#keyPrefix);
          command.parseCommand(parser, ...args);
          const redisArgs = parser.redisArgs;
          redisArgs.preserve = parser.preserve;
          return this.addCommand(redisArgs, transformReply);
        };
      }
      static #createModuleCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self.#keyPrefix);
          command.parseCommand(parser, ...args);
          const redisArgs = parser.redisArgs;
          redisArgs.preserve = parser.preserve;
          return this._self.addCommand(redisArgs, transformReply);
        };
      }
      static #createFunctionCommand(name, fn, resp) {
        const prefix = (0, commander_1.functionArgumentsPrefix)(name, fn);
        const transformReply = (0, commander_1.getTransformReply)(fn, resp);
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self.#keyPrefix);
          parser.push(...prefix);
          fn.parseCommand(parser, ...args);
          const redisArgs = parser.redisArgs;
          redisArgs.preserve = parser.preserve;
          return this._self.addCommand(redisArgs, transformReply);
        };
      }
      static #createScriptCommand(script, resp) {
        const transformReply = (0, commander_1.getTransformReply)(script, resp);
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this.#keyPrefix);
          script.parseCommand(parser, ...args);
          const redisArgs = parser.redisArgs;
          redisArgs.preserve = parser.preserve;
          return this.#addScript(script, redisArgs, transformReply);
        };
      }
      static extend(config) {
        return (0, commander_1.attachConfig)({
          BaseClass: _RedisClientMultiCommand,
          commands: commands_1.default,
          createCommand: _RedisClientMultiCommand.#createCommand,
          createModuleCommand: _RedisClientMultiCommand.#createModuleCommand,
          createFunctionCommand: _RedisClientMultiCommand.#createFunctionCommand,
          createScriptCommand: _RedisClientMultiCommand.#createScriptCommand,
          config
        });
      }
      #multi;
      #executeMulti;
      #executePipeline;
      #keyPrefix;
      #selectedDB;
      constructor(executeMulti, executePipeline, typeMapping, keyPrefix) {
        this.#multi = new multi_command_1.default(typeMapping);
        this.#executeMulti = executeMulti;
        this.#executePipeline = executePipeline;
        this.#keyPrefix = keyPrefix;
      }
      SELECT(db, transformReply) {
        this.#selectedDB = db;
        this.#multi.addCommand(["SELECT", db.toString()], transformReply);
        return this;
      }
      select = this.SELECT;
      addCommand(args, transformReply) {
        this.#multi.addCommand(args, transformReply);
        return this;
      }
      #addScript(script, args, transformReply) {
        this.#multi.addScript(script, args, transformReply);
        return this;
      }
      async exec(execAsPipeline = false) {
        if (execAsPipeline)
          return this.execAsPipeline();
        return this.#multi.transformReplies(await this.#executeMulti(this.#multi.queue, this.#selectedDB));
      }
      EXEC = this.exec;
      execTyped(execAsPipeline = false) {
        return this.exec(execAsPipeline);
      }
      async execAsPipeline() {
        if (this.#multi.queue.length === 0)
          return [];
        return this.#multi.transformReplies(await this.#executePipeline(this.#multi.queue, this.#selectedDB));
      }
      execAsPipelineTyped() {
        return this.execAsPipeline();
      }
      /**
       * Adds a raw command to the multi/pipeline queue.
       *
       * Note: Using this method breaks the type inference for `execTyped` and
       * `execAsPipelineTyped`. This is a known limitation and will be addressed
       * in the future.
       */
      sendCommand(args) {
        const redisArgs = args.slice();
        this.#multi.addCommand(redisArgs);
        return this;
      }
    };
    exports.default = RedisClientMultiCommand;
  }
});

// dist/lib/commands/HELLO.js
var require_HELLO = __commonJS({
  "dist/lib/commands/HELLO.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {
      parseCommand(parser, protover, options) {
        parser.push("HELLO");
        if (protover) {
          parser.push(protover.toString());
          if (options?.AUTH) {
            parser.push("AUTH", options.AUTH.username, options.AUTH.password);
          }
          if (options?.SETNAME !== void 0) {
            parser.push("SETNAME", options.SETNAME);
          }
        }
      },
      transformReply: {
        2: (reply) => ({
          server: reply[1],
          version: reply[3],
          proto: reply[5],
          id: reply[7],
          mode: reply[9],
          role: reply[11],
          modules: reply[13]
        }),
        3: void 0
      }
    };
  }
});

// dist/lib/client/legacy-mode.js
var require_legacy_mode = __commonJS({
  "dist/lib/client/legacy-mode.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.RedisLegacyClient = void 0;
    var types_1 = require_types();
    var commander_1 = require_commander();
    var commands_1 = __importDefault(require_commands());
    var multi_command_1 = __importDefault(require_multi_command());
    var RedisLegacyClient = class _RedisLegacyClient {
      static #transformArguments(redisArgs, args) {
        let callback;
        if (typeof args[args.length - 1] === "function") {
          callback = args.pop();
        }
        _RedisLegacyClient.pushArguments(redisArgs, args);
        return callback;
      }
      static pushArguments(redisArgs, args) {
        for (let i = 0; i < args.length; ++i) {
          const arg = args[i];
          if (Array.isArray(arg)) {
            _RedisLegacyClient.pushArguments(redisArgs, arg);
          } else {
            redisArgs.push(typeof arg === "number" || arg instanceof Date ? arg.toString() : arg);
          }
        }
      }
      static getTransformReply(command, resp) {
        return command.TRANSFORM_LEGACY_REPLY ? (0, commander_1.getTransformReply)(command, resp) : void 0;
      }
      static #createCommand(name, command, resp) {
        const transformReply = _RedisLegacyClient.getTransformReply(command, resp);
        return function(...args) {
          const redisArgs = [name], callback = _RedisLegacyClient.#transformArguments(redisArgs, args), promise = this.#client.sendCommand(redisArgs);
          if (!callback) {
            promise.catch((err) => this.#client.emit("error", err));
            return;
          }
          promise.then((reply) => callback(null, transformReply ? transformReply(reply) : reply)).catch((err) => callback(err));
        };
      }
      #client;
      #Multi;
      constructor(client) {
        this.#client = client;
        const RESP = client.options?.RESP ?? types_1.DEFAULT_RESP;
        for (const [name, command] of Object.entries(commands_1.default)) {
          this[name] = _RedisLegacyClient.#createCommand(name, command, RESP);
        }
        this.#Multi = LegacyMultiCommand.factory(RESP);
      }
      sendCommand(...args) {
        const redisArgs = [], callback = _RedisLegacyClient.#transformArguments(redisArgs, args), promise = this.#client.sendCommand(redisArgs);
        if (!callback) {
          promise.catch((err) => this.#client.emit("error", err));
          return;
        }
        promise.then((reply) => callback(null, reply)).catch((err) => callback(err));
      }
      quit(callback) {
        const promise = this.#client.quit();
        if (!callback) {
          promise.catch((err) => this.#client.emit("error", err));
          return;
        }
        promise.then((reply) => callback(null, reply)).catch((err) => callback(err));
      }
      multi() {
        return this.#Multi(this.#client);
      }
    };
    exports.RedisLegacyClient = RedisLegacyClient;
    var LegacyMultiCommand = class _LegacyMultiCommand {
      static #createCommand(name, command, resp) {
        const transformReply = RedisLegacyClient.getTransformReply(command, resp);
        return function(...args) {
          const redisArgs = [name];
          RedisLegacyClient.pushArguments(redisArgs, args);
          this.#multi.addCommand(redisArgs, transformReply);
          return this;
        };
      }
      static factory(resp) {
        const Multi = class extends _LegacyMultiCommand {
        };
        for (const [name, command] of Object.entries(commands_1.default)) {
          Multi.prototype[name] = _LegacyMultiCommand.#createCommand(name, command, resp);
        }
        return (client) => {
          return new Multi(client);
        };
      }
      #multi = new multi_command_1.default();
      #client;
      constructor(client) {
        this.#client = client;
      }
      sendCommand(...args) {
        const redisArgs = [];
        RedisLegacyClient.pushArguments(redisArgs, args);
        this.#multi.addCommand(redisArgs);
        return this;
      }
      exec(cb) {
        const promise = this.#client._executeMulti(this.#multi.queue);
        if (!cb) {
          promise.catch((err) => this.#client.emit("error", err));
          return;
        }
        promise.then((results) => cb(null, this.#multi.transformReplies(results))).catch((err) => cb?.(err));
      }
    };
  }
});

// dist/lib/client/cache.js
var require_cache = __commonJS({
  "dist/lib/client/cache.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.PooledNoRedirectClientSideCache = exports.BasicPooledClientSideCache = exports.PooledClientSideCacheProvider = exports.BasicClientSideCache = exports.ClientSideCacheProvider = exports.CacheStats = void 0;
    var stream_1 = __require("stream");
    var tracing_1 = require_tracing();
    var CacheStats = class _CacheStats {
      hitCount;
      missCount;
      loadSuccessCount;
      loadFailureCount;
      totalLoadTime;
      evictionCount;
      /**
       * Creates a new CacheStats instance with the specified statistics.
       */
      constructor(hitCount, missCount, loadSuccessCount, loadFailureCount, totalLoadTime, evictionCount) {
        this.hitCount = hitCount;
        this.missCount = missCount;
        this.loadSuccessCount = loadSuccessCount;
        this.loadFailureCount = loadFailureCount;
        this.totalLoadTime = totalLoadTime;
        this.evictionCount = evictionCount;
        if (hitCount < 0 || missCount < 0 || loadSuccessCount < 0 || loadFailureCount < 0 || totalLoadTime < 0 || evictionCount < 0) {
          throw new Error("All statistics values must be non-negative");
        }
      }
      /**
       * Creates a new CacheStats instance with the specified statistics.
       *
       * @param hitCount - Number of cache hits
       * @param missCount - Number of cache misses
       * @param loadSuccessCount - Number of successful cache loads
       * @param loadFailureCount - Number of failed cache loads
       * @param totalLoadTime - Total load time in milliseconds
       * @param evictionCount - Number of cache evictions
       */
      static of(hitCount = 0, missCount = 0, loadSuccessCount = 0, loadFailureCount = 0, totalLoadTime = 0, evictionCount = 0) {
        return new _CacheStats(hitCount, missCount, loadSuccessCount, loadFailureCount, totalLoadTime, evictionCount);
      }
      /**
       * Returns a statistics instance where no cache events have been recorded.
       *
       * @returns An empty statistics instance
       */
      static empty() {
        return _CacheStats.EMPTY_STATS;
      }
      /**
       * An empty stats instance with all counters set to zero.
       */
      static EMPTY_STATS = new _CacheStats(0, 0, 0, 0, 0, 0);
      /**
      * Returns the total number of times cache lookup methods have returned
      * either a cached or uncached value.
      *
      * @returns Total number of requests (hits + misses)
      */
      requestCount() {
        return this.hitCount + this.missCount;
      }
      /**
       * Returns the hit rate of the cache.
       * This is defined as hitCount / requestCount, or 1.0 when requestCount is 0.
       *
       * @returns The ratio of cache requests that were hits (between 0.0 and 1.0)
       */
      hitRate() {
        const requestCount = this.requestCount();
        return requestCount === 0 ? 1 : this.hitCount / requestCount;
      }
      /**
       * Returns the miss rate of the cache.
       * This is defined as missCount / requestCount, or 0.0 when requestCount is 0.
       *
       * @returns The ratio of cache requests that were misses (between 0.0 and 1.0)
       */
      missRate() {
        const requestCount = this.requestCount();
        return requestCount === 0 ? 0 : this.missCount / requestCount;
      }
      /**
      * Returns the total number of load operations (successful + failed).
      *
      * @returns Total number of load operations
      */
      loadCount() {
        return this.loadSuccessCount + this.loadFailureCount;
      }
      /**
       * Returns the ratio of cache loading attempts that failed.
       * This is defined as loadFailureCount / loadCount, or 0.0 when loadCount is 0.
       *
       * @returns Ratio of load operations that failed (between 0.0 and 1.0)
       */
      loadFailureRate() {
        const loadCount = this.loadCount();
        return loadCount === 0 ? 0 : this.loadFailureCount / loadCount;
      }
      /**
       * Returns the average time spent loading new values, in milliseconds.
       * This is defined as totalLoadTime / loadCount, or 0.0 when loadCount is 0.
       *
       * @returns Average load time in milliseconds
       */
      averageLoadPenalty() {
        const loadCount = this.loadCount();
        return loadCount === 0 ? 0 : this.totalLoadTime / loadCount;
      }
      /**
      * Returns a new CacheStats representing the difference between this CacheStats
      * and another. Negative values are rounded up to zero.
      *
      * @param other - The statistics to subtract from this instance
      * @returns The difference between this instance and other
      */
      minus(other) {
        return _CacheStats.of(Math.max(0, this.hitCount - other.hitCount), Math.max(0, this.missCount - other.missCount), Math.max(0, this.loadSuccessCount - other.loadSuccessCount), Math.max(0, this.loadFailureCount - other.loadFailureCount), Math.max(0, this.totalLoadTime - other.totalLoadTime), Math.max(0, this.evictionCount - other.evictionCount));
      }
      /**
       * Returns a new CacheStats representing the sum of this CacheStats and another.
       *
       * @param other - The statistics to add to this instance
       * @returns The sum of this instance and other
       */
      plus(other) {
        return _CacheStats.of(this.hitCount + other.hitCount, this.missCount + other.missCount, this.loadSuccessCount + other.loadSuccessCount, this.loadFailureCount + other.loadFailureCount, this.totalLoadTime + other.totalLoadTime, this.evictionCount + other.evictionCount);
      }
    };
    exports.CacheStats = CacheStats;
    var DisabledStatsCounter = class _DisabledStatsCounter {
      static INSTANCE = new _DisabledStatsCounter();
      constructor() {
      }
      recordHits(count) {
      }
      recordMisses(count) {
      }
      recordLoadSuccess(loadTime) {
      }
      recordLoadFailure(loadTime) {
      }
      recordEvictions(count) {
      }
      snapshot() {
        return CacheStats.empty();
      }
    };
    function disabledStatsCounter() {
      return DisabledStatsCounter.INSTANCE;
    }
    var DefaultStatsCounter = class _DefaultStatsCounter {
      #hitCount = 0;
      #missCount = 0;
      #loadSuccessCount = 0;
      #loadFailureCount = 0;
      #totalLoadTime = 0;
      #evictionCount = 0;
      /**
       * Records cache hits.
       *
       * @param count - The number of hits to record
       */
      recordHits(count) {
        this.#hitCount += count;
      }
      /**
       * Records cache misses.
       *
       * @param count - The number of misses to record
       */
      recordMisses(count) {
        this.#missCount += count;
      }
      /**
       * Records the successful load of a new entry.
       *
       * @param loadTime - The number of milliseconds spent loading the entry
       */
      recordLoadSuccess(loadTime) {
        this.#loadSuccessCount++;
        this.#totalLoadTime += loadTime;
      }
      /**
       * Records the failed load of a new entry.
       *
       * @param loadTime - The number of milliseconds spent attempting to load the entry
       */
      recordLoadFailure(loadTime) {
        this.#loadFailureCount++;
        this.#totalLoadTime += loadTime;
      }
      /**
       * Records cache evictions.
       *
       * @param count - The number of evictions to record
       */
      recordEvictions(count) {
        this.#evictionCount += count;
      }
      /**
       * Returns a snapshot of the current statistics.
       *
       * @returns A snapshot of the current statistics
       */
      snapshot() {
        return CacheStats.of(this.#hitCount, this.#missCount, this.#loadSuccessCount, this.#loadFailureCount, this.#totalLoadTime, this.#evictionCount);
      }
      /**
       * Creates a new DefaultStatsCounter.
       *
       * @returns A new DefaultStatsCounter instance
       */
      static create() {
        return new _DefaultStatsCounter();
      }
    };
    function generateCacheKey(redisArgs) {
      const tmp = new Array(redisArgs.length * 2);
      for (let i = 0; i < redisArgs.length; i++) {
        tmp[i] = redisArgs[i].length;
        tmp[i + redisArgs.length] = redisArgs[i];
      }
      return tmp.join("_");
    }
    var ClientSideCacheEntryBase = class {
      #invalidated = false;
      #expireTime;
      constructor(ttl) {
        if (ttl == 0) {
          this.#expireTime = 0;
        } else {
          this.#expireTime = Date.now() + ttl;
        }
      }
      invalidate() {
        this.#invalidated = true;
      }
      validate() {
        return !this.#invalidated && (this.#expireTime == 0 || Date.now() < this.#expireTime);
      }
    };
    var ClientSideCacheEntryValue = class extends ClientSideCacheEntryBase {
      #value;
      get value() {
        return this.#value;
      }
      constructor(ttl, value) {
        super(ttl);
        this.#value = value;
      }
    };
    var ClientSideCacheEntryPromise = class extends ClientSideCacheEntryBase {
      #sendCommandPromise;
      get promise() {
        return this.#sendCommandPromise;
      }
      constructor(ttl, sendCommandPromise) {
        super(ttl);
        this.#sendCommandPromise = sendCommandPromise;
      }
    };
    var ClientSideCacheProvider = class extends stream_1.EventEmitter {
    };
    exports.ClientSideCacheProvider = ClientSideCacheProvider;
    var BasicClientSideCache = class extends ClientSideCacheProvider {
      #cacheKeyToEntryMap;
      #keyToCacheKeySetMap;
      ttl;
      maxEntries;
      lru;
      #statsCounter;
      recordEvictions(count) {
        this.#statsCounter.recordEvictions(count);
      }
      recordHits(count) {
        this.#statsCounter.recordHits(count);
      }
      recordMisses(count) {
        this.#statsCounter.recordMisses(count);
      }
      constructor(config) {
        super();
        this.#cacheKeyToEntryMap = /* @__PURE__ */ new Map();
        this.#keyToCacheKeySetMap = /* @__PURE__ */ new Map();
        this.ttl = config?.ttl ?? 0;
        this.maxEntries = config?.maxEntries ?? 0;
        this.lru = config?.evictPolicy !== "FIFO";
        const recordStats = config?.recordStats !== false;
        this.#statsCounter = recordStats ? DefaultStatsCounter.create() : disabledStatsCounter();
      }
      /* logic of how caching works:
      
        1. commands use a CommandParser
          it enables us to define/retrieve
            cacheKey - a unique key that corresponds to this command and its arguments
            redisKeys - an array of redis keys as strings that if the key is modified, will cause redis to invalidate this result when cached
        2. check if cacheKey is in our cache
          2b1. if its a value cacheEntry - return it
          2b2. if it's a promise cache entry - wait on promise and then go to 3c.
        3. if cacheEntry is not in cache
          3a. send the command save the promise into a a cacheEntry and then wait on result
          3b. transform reply (if required) based on transformReply
          3b. check the cacheEntry is still valid - in cache and hasn't been deleted)
          3c. if valid - overwrite with value entry
        4. return previously non cached result
        */
      async handleCache(client, parser, fn, transformReply, typeMapping) {
        let reply;
        const cacheKey = generateCacheKey(parser.redisArgs);
        let cacheEntry = this.get(cacheKey);
        if (cacheEntry) {
          if (cacheEntry instanceof ClientSideCacheEntryValue) {
            this.#statsCounter.recordHits(1);
            (0, tracing_1.publish)(tracing_1.CHANNELS.CACHE_REQUEST, () => ({ result: "hit", clientId: client._clientId }));
            return structuredClone(cacheEntry.value);
          } else if (cacheEntry instanceof ClientSideCacheEntryPromise) {
            this.#statsCounter.recordMisses(1);
            (0, tracing_1.publish)(tracing_1.CHANNELS.CACHE_REQUEST, () => ({ result: "miss", clientId: client._clientId }));
            reply = await cacheEntry.promise;
          } else {
            throw new Error("unknown cache entry type");
          }
        } else {
          this.#statsCounter.recordMisses(1);
          (0, tracing_1.publish)(tracing_1.CHANNELS.CACHE_REQUEST, () => ({ result: "miss", clientId: client._clientId }));
          const startTime = performance.now();
          const promise = fn();
          cacheEntry = this.createPromiseEntry(client, promise);
          this.set(cacheKey, cacheEntry, parser.keys);
          try {
            reply = await promise;
            const loadTime = performance.now() - startTime;
            this.#statsCounter.recordLoadSuccess(loadTime);
          } catch (err) {
            const loadTime = performance.now() - startTime;
            this.#statsCounter.recordLoadFailure(loadTime);
            if (cacheEntry.validate()) {
              this.delete(cacheKey);
            }
            throw err;
          }
        }
        let val;
        if (transformReply) {
          val = transformReply(reply, parser.preserve, typeMapping);
        } else {
          val = reply;
        }
        if (cacheEntry.validate()) {
          cacheEntry = this.createValueEntry(client, val);
          this.set(cacheKey, cacheEntry, parser.keys);
          this.emit("cached-key", cacheKey);
        } else {
        }
        return structuredClone(val);
      }
      trackingOn() {
        return ["CLIENT", "TRACKING", "ON"];
      }
      invalidate(key) {
        if (key === null) {
          const oldSize = this.size();
          this.clear(false);
          if (oldSize > 0) {
            (0, tracing_1.publish)(tracing_1.CHANNELS.CACHE_EVICTION, () => ({ reason: "invalidation", count: oldSize }));
          }
          this.emit("invalidate", key);
          return;
        }
        const keySet = this.#keyToCacheKeySetMap.get(key.toString());
        if (keySet) {
          let deletedCount = 0;
          for (const cacheKey of keySet) {
            const entry = this.#cacheKeyToEntryMap.get(cacheKey);
            if (entry) {
              entry.invalidate();
              deletedCount++;
            }
            this.#cacheKeyToEntryMap.delete(cacheKey);
          }
          this.#keyToCacheKeySetMap.delete(key.toString());
          if (deletedCount > 0) {
            (0, tracing_1.publish)(tracing_1.CHANNELS.CACHE_EVICTION, () => ({ reason: "invalidation", count: deletedCount }));
          }
        }
        this.emit("invalidate", key);
      }
      clear(resetStats = true) {
        const oldSize = this.#cacheKeyToEntryMap.size;
        this.#cacheKeyToEntryMap.clear();
        this.#keyToCacheKeySetMap.clear();
        if (resetStats) {
          if (!(this.#statsCounter instanceof DisabledStatsCounter)) {
            this.#statsCounter = DefaultStatsCounter.create();
          }
        } else {
          if (oldSize > 0) {
            this.#statsCounter.recordEvictions(oldSize);
          }
        }
      }
      get(cacheKey) {
        const val = this.#cacheKeyToEntryMap.get(cacheKey);
        if (val && !val.validate()) {
          this.delete(cacheKey);
          this.#statsCounter.recordEvictions(1);
          (0, tracing_1.publish)(tracing_1.CHANNELS.CACHE_EVICTION, () => ({ reason: "ttl", count: 1 }));
          this.emit("cache-evict", cacheKey);
          return void 0;
        }
        if (val !== void 0 && this.lru) {
          this.#cacheKeyToEntryMap.delete(cacheKey);
          this.#cacheKeyToEntryMap.set(cacheKey, val);
        }
        return val;
      }
      delete(cacheKey) {
        const entry = this.#cacheKeyToEntryMap.get(cacheKey);
        if (entry) {
          entry.invalidate();
          this.#cacheKeyToEntryMap.delete(cacheKey);
        }
      }
      has(cacheKey) {
        return this.#cacheKeyToEntryMap.has(cacheKey);
      }
      set(cacheKey, cacheEntry, keys) {
        let count = this.#cacheKeyToEntryMap.size;
        const oldEntry = this.#cacheKeyToEntryMap.get(cacheKey);
        if (oldEntry) {
          count--;
          oldEntry.invalidate();
        }
        if (this.maxEntries > 0 && count >= this.maxEntries) {
          this.deleteOldest();
          this.#statsCounter.recordEvictions(1);
          (0, tracing_1.publish)(tracing_1.CHANNELS.CACHE_EVICTION, () => ({ reason: "full", count: 1 }));
        }
        this.#cacheKeyToEntryMap.set(cacheKey, cacheEntry);
        for (const key of keys) {
          if (!this.#keyToCacheKeySetMap.has(key.toString())) {
            this.#keyToCacheKeySetMap.set(key.toString(), /* @__PURE__ */ new Set());
          }
          const cacheKeySet = this.#keyToCacheKeySetMap.get(key.toString());
          cacheKeySet.add(cacheKey);
        }
      }
      size() {
        return this.#cacheKeyToEntryMap.size;
      }
      createValueEntry(client, value) {
        return new ClientSideCacheEntryValue(this.ttl, value);
      }
      createPromiseEntry(client, sendCommandPromise) {
        return new ClientSideCacheEntryPromise(this.ttl, sendCommandPromise);
      }
      stats() {
        return this.#statsCounter.snapshot();
      }
      onError() {
        this.clear();
      }
      onClose() {
        this.clear();
      }
      /**
       * @internal
       */
      deleteOldest() {
        const it = this.#cacheKeyToEntryMap[Symbol.iterator]();
        const n = it.next();
        if (!n.done) {
          const key = n.value[0];
          const entry = this.#cacheKeyToEntryMap.get(key);
          if (entry) {
            entry.invalidate();
          }
          this.#cacheKeyToEntryMap.delete(key);
        }
      }
      /**
       * Get cache entries for debugging
       * @internal
       */
      entryEntries() {
        return this.#cacheKeyToEntryMap.entries();
      }
      /**
       * Get key set entries for debugging
       * @internal
       */
      keySetEntries() {
        return this.#keyToCacheKeySetMap.entries();
      }
    };
    exports.BasicClientSideCache = BasicClientSideCache;
    var PooledClientSideCacheProvider = class extends BasicClientSideCache {
      #disabled = false;
      disable() {
        this.#disabled = true;
      }
      enable() {
        this.#disabled = false;
      }
      get(cacheKey) {
        if (this.#disabled) {
          return void 0;
        }
        return super.get(cacheKey);
      }
      has(cacheKey) {
        if (this.#disabled) {
          return false;
        }
        return super.has(cacheKey);
      }
      onPoolClose() {
        this.clear();
      }
    };
    exports.PooledClientSideCacheProvider = PooledClientSideCacheProvider;
    var BasicPooledClientSideCache = class extends PooledClientSideCacheProvider {
      onError() {
        this.clear(false);
      }
      onClose() {
        this.clear(false);
      }
    };
    exports.BasicPooledClientSideCache = BasicPooledClientSideCache;
    var PooledClientSideCacheEntryValue = class extends ClientSideCacheEntryValue {
      #creator;
      constructor(ttl, creator, value) {
        super(ttl, value);
        this.#creator = creator;
      }
      validate() {
        let ret = super.validate();
        if (this.#creator) {
          ret = ret && this.#creator.client.isReady && this.#creator.client.socketEpoch == this.#creator.epoch;
        }
        return ret;
      }
    };
    var PooledClientSideCacheEntryPromise = class extends ClientSideCacheEntryPromise {
      #creator;
      constructor(ttl, creator, sendCommandPromise) {
        super(ttl, sendCommandPromise);
        this.#creator = creator;
      }
      validate() {
        let ret = super.validate();
        return ret && this.#creator.client.isReady && this.#creator.client.socketEpoch == this.#creator.epoch;
      }
    };
    var PooledNoRedirectClientSideCache = class extends BasicPooledClientSideCache {
      createValueEntry(client, value) {
        const creator = {
          epoch: client.socketEpoch,
          client
        };
        return new PooledClientSideCacheEntryValue(this.ttl, creator, value);
      }
      createPromiseEntry(client, sendCommandPromise) {
        const creator = {
          epoch: client.socketEpoch,
          client
        };
        return new PooledClientSideCacheEntryPromise(this.ttl, creator, sendCommandPromise);
      }
      onError() {
      }
      onClose() {
      }
    };
    exports.PooledNoRedirectClientSideCache = PooledNoRedirectClientSideCache;
  }
});

// dist/lib/single-entry-cache.js
var require_single_entry_cache = __commonJS({
  "dist/lib/single-entry-cache.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    var SingleEntryCache = class {
      #cached;
      #serializedKey;
      /**
       * Retrieves an instance from the cache based on the provided key object.
       *
       * @param keyObj - The key object to look up in the cache.
       * @returns The cached instance if found, undefined otherwise.
       *
       * @remarks
       * This method uses JSON.stringify for comparison, which may not work correctly
       * if the properties in the key object are rearranged or reordered.
       */
      get(keyObj) {
        return JSON.stringify(keyObj, makeCircularReplacer()) === this.#serializedKey ? this.#cached : void 0;
      }
      set(keyObj, obj) {
        this.#cached = obj;
        this.#serializedKey = JSON.stringify(keyObj, makeCircularReplacer());
      }
    };
    exports.default = SingleEntryCache;
    function makeCircularReplacer() {
      const seen = /* @__PURE__ */ new WeakSet();
      return function serialize(_, value) {
        if (value && typeof value === "object") {
          if (seen.has(value)) {
            return "circular";
          }
          seen.add(value);
          return value;
        }
        return value;
      };
    }
  }
});

// dist/lib/client/identity.js
var require_identity = __commonJS({
  "dist/lib/client/identity.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.generateClusterClientId = exports.generateClientId = exports.ClientRole = void 0;
    var node_crypto_1 = __require("node:crypto");
    var MAX_ID_LENGTH = 128;
    var ClientRole;
    (function(ClientRole2) {
      ClientRole2["STANDALONE"] = "standalone";
      ClientRole2["CLUSTER"] = "cluster";
      ClientRole2["CLUSTER_NODE"] = "clusterNode";
      ClientRole2["POOL"] = "pool";
      ClientRole2["POOL_MEMBER"] = "poolMember";
      ClientRole2["SENTINEL"] = "sentinel";
      ClientRole2["SENTINEL_CLIENT"] = "sentinelClient";
    })(ClientRole || (exports.ClientRole = ClientRole = {}));
    var truncateId = (prefix, hash) => {
      const suffix = `-${hash}`;
      const fullId = `${prefix}${suffix}`;
      if (fullId.length <= MAX_ID_LENGTH) {
        return fullId;
      }
      const ellipsis = "...";
      const maxPrefixLength = MAX_ID_LENGTH - ellipsis.length - suffix.length;
      const truncatedPrefix = prefix.substring(0, maxPrefixLength);
      return `${truncatedPrefix}${ellipsis}${suffix}`;
    };
    var generateClientId = (host, port, db) => {
      const hash = (0, node_crypto_1.randomBytes)(4).toString("hex");
      const prefix = `${host ?? "unknown"}:${port ?? "unknown"}/${db ?? "unknown"}`;
      return truncateId(prefix, hash);
    };
    exports.generateClientId = generateClientId;
    var generateClusterClientId = (nodes) => {
      const hash = (0, node_crypto_1.randomBytes)(4).toString("hex");
      const prefix = nodes.map((n) => `${n?.socket?.host ?? "unknown"}:${n?.socket?.port ?? "unknown"}`).join(",");
      return truncateId(prefix, hash);
    };
    exports.generateClusterClientId = generateClusterClientId;
  }
});

// dist/lib/himport/registry.js
var require_registry = __commonJS({
  "dist/lib/himport/registry.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.PreparedFieldsets = exports.FieldsetRegistry = void 0;
    var FieldsetRegistry = class {
      /** Fieldset name → registration, keyed by the `String()`-coerced name. */
      #fieldsets = /* @__PURE__ */ new Map();
      /** Source of `Fieldset.version` — registry-wide and never reset. */
      #versionCounter = 0;
      /**
       * Counts effective discards only (discarding an unknown name does not bump). Connections
       * compare their `syncedDiscardCount` snapshot against this to detect pending discards.
       */
      discardCount = 0;
      /**
       * Idempotent upsert: registering the same name with a deep-equal field list keeps the
       * existing version (cluster fan-out and per-worker startup prepares must not churn
       * versions); a new name or a changed field list gets the next counter value.
       */
      set(name, fields) {
        const key = String(name);
        const existing = this.#fieldsets.get(key);
        if (existing !== void 0 && fieldsEqual(existing.fields, fields))
          return;
        this.#fieldsets.set(key, {
          fields: fields.slice(),
          version: ++this.#versionCounter
        });
      }
      get(name) {
        return this.#fieldsets.get(String(name));
      }
      /**
       * Snapshot of every registration as name → field list. Used to roll back a `DISCARDALL`
       * that failed before reaching the server, so shared duplicates/pools keep auto-preparing.
       */
      snapshot() {
        const out = /* @__PURE__ */ new Map();
        for (const [name, fs] of this.#fieldsets)
          out.set(name, fs.fields);
        return out;
      }
      /**
       * Returns `true` iff the name was registered — this boolean IS the user-facing
       * `hImportDiscard` reply (registry-based, not the server session's).
       */
      discard(name) {
        const removed = this.#fieldsets.delete(String(name));
        if (removed)
          this.discardCount++;
        return removed;
      }
      /**
       * Returns the number of registrations removed — this count IS the user-facing
       * `hImportDiscardAll` reply.
       */
      discardAll() {
        const removed = this.#fieldsets.size;
        if (removed > 0) {
          this.#fieldsets.clear();
          this.discardCount++;
        }
        return removed;
      }
      /**
       * Names the session still holds but the registry no longer does — the discards that
       * connection has yet to replay.
       */
      diff(sessionNames) {
        const pending = /* @__PURE__ */ new Set();
        for (const name of sessionNames) {
          if (!this.#fieldsets.has(name))
            pending.add(name);
        }
        return pending;
      }
    };
    exports.FieldsetRegistry = FieldsetRegistry;
    var PreparedFieldsets = class {
      /**
       * Fieldset name → the {@link Fieldset.version} this session was prepared with. A missing
       * entry or a lower version means the next dependent command must pipeline a PREPARE first.
       */
      #versions = /* @__PURE__ */ new Map();
      /**
       * Snapshot of `FieldsetRegistry.discardCount` this connection has reconciled up to.
       * `syncedDiscardCount < registry.discardCount` means discards happened that this session
       * may still hold — reconcile before the next HIMPORT command. Knocked back when an
       * injected DISCARD fails, so the reconcile re-runs.
       */
      syncedDiscardCount = 0;
      get(name) {
        return this.#versions.get(name);
      }
      set(name, version) {
        this.#versions.set(name, version);
      }
      delete(name) {
        return this.#versions.delete(name);
      }
      names() {
        return new Set(this.#versions.keys());
      }
      /** Live view over the session claims — snapshot (`new Map(entries())`) before mutating. */
      entries() {
        return this.#versions.entries();
      }
      get size() {
        return this.#versions.size;
      }
      clear() {
        this.#versions.clear();
      }
    };
    exports.PreparedFieldsets = PreparedFieldsets;
    function fieldsEqual(a, b) {
      if (a.length !== b.length)
        return false;
      for (let i = 0; i < a.length; i++) {
        const x = a[i], y = b[i];
        if (typeof x === "string" && typeof y === "string") {
          if (x !== y)
            return false;
        } else {
          const xb = typeof x === "string" ? Buffer.from(x) : x;
          const yb = typeof y === "string" ? Buffer.from(y) : y;
          if (!xb.equals(yb))
            return false;
        }
      }
      return true;
    }
  }
});

// dist/lib/client/pool.js
var require_pool = __commonJS({
  "dist/lib/client/pool.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.RedisClientPool = void 0;
    var commands_1 = require_commands();
    var _1 = __importDefault(require_client());
    var node_events_1 = __require("node:events");
    var node_perf_hooks_1 = __require("node:perf_hooks");
    var linked_list_1 = require_linked_list();
    var errors_1 = require_errors();
    var commander_1 = require_commander();
    var multi_command_1 = __importDefault(require_multi_command2());
    var cache_1 = require_cache();
    var parser_1 = require_parser();
    var single_entry_cache_1 = __importDefault(require_single_entry_cache());
    var tracing_1 = require_tracing();
    var identity_1 = require_identity();
    var registry_1 = require_registry();
    var RedisClientPool = class _RedisClientPool extends node_events_1.EventEmitter {
      static #createCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          command.parseCommand(parser, ...args);
          return this.execute((client) => client._executeCommand(command, parser, this._commandOptions, transformReply));
        };
      }
      static #createModuleCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          command.parseCommand(parser, ...args);
          return this._self.execute((client) => client._executeCommand(command, parser, this._self._commandOptions, transformReply));
        };
      }
      static #createFunctionCommand(name, fn, resp) {
        const prefix = (0, commander_1.functionArgumentsPrefix)(name, fn);
        const transformReply = (0, commander_1.getTransformReply)(fn, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          parser.push(...prefix);
          fn.parseCommand(parser, ...args);
          return this._self.execute((client) => client._executeCommand(fn, parser, this._self._commandOptions, transformReply));
        };
      }
      static #createScriptCommand(script, resp) {
        const prefix = (0, commander_1.scriptArgumentsPrefix)(script);
        const transformReply = (0, commander_1.getTransformReply)(script, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          parser.pushVariadic(prefix);
          script.parseCommand(parser, ...args);
          return this.execute((client) => client._executeScript(script, parser, this._commandOptions, transformReply));
        };
      }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- generic cache, keys/values vary per call site
      static #SingleEntryCache = new single_entry_cache_1.default();
      static create(clientOptions, options) {
        let Pool = _RedisClientPool.#SingleEntryCache.get(clientOptions);
        if (!Pool) {
          Pool = (0, commander_1.attachConfig)({
            BaseClass: _RedisClientPool,
            commands: commands_1.NON_STICKY_COMMANDS,
            createCommand: _RedisClientPool.#createCommand,
            createModuleCommand: _RedisClientPool.#createModuleCommand,
            createFunctionCommand: _RedisClientPool.#createFunctionCommand,
            createScriptCommand: _RedisClientPool.#createScriptCommand,
            config: clientOptions
          });
          Pool.prototype.Multi = multi_command_1.default.extend(clientOptions);
          _RedisClientPool.#SingleEntryCache.set(clientOptions, Pool);
        }
        return Object.create(new Pool(clientOptions, options));
      }
      // TODO: defaults
      static #DEFAULTS = {
        minimum: 1,
        maximum: 100,
        acquireTimeout: 3e3,
        cleanupDelay: 3e3
      };
      #clientFactory;
      #options;
      #identity;
      #idleClients = new linked_list_1.SinglyLinkedList();
      /**
       * The number of idle clients.
       */
      get idleClients() {
        return this._self.#idleClients.length;
      }
      #clientsInUse = new linked_list_1.DoublyLinkedList();
      /**
       * The number of clients in use.
       */
      get clientsInUse() {
        return this._self.#clientsInUse.length;
      }
      /**
       * The total number of clients in the pool (including connecting, idle, and in use).
       */
      get totalClients() {
        return this._self.#idleClients.length + this._self.#clientsInUse.length;
      }
      // Doubly-linked so the acquire-timeout path can remove a queued task by node
      // alone. A singly-linked list forces the caller to supply the predecessor,
      // and the pool's only source for that was a `tail` snapshot captured when the
      // task was enqueued — stale by the time the timeout fires, which corrupted
      // the queue. `node.previous` is always live, so no predecessor is passed.
      #tasksQueue = new linked_list_1.DoublyLinkedList();
      /**
       * The number of tasks waiting for a client to become available.
       */
      get tasksQueueLength() {
        return this._self.#tasksQueue.length;
      }
      #isOpen = false;
      /**
       * Whether the pool is open (either connecting or connected).
       */
      get isOpen() {
        return this._self.#isOpen;
      }
      /**
       * Whether the pool is closing (*not* closed).
       */
      get isClosing() {
        return this._self.#closePromise !== void 0;
      }
      /**
       * Resolve function called when all in-flight tasks complete during close().
       * Used to signal that the pool has finished draining and clients can be closed.
       */
      #drainResolve;
      /**
       * The in-flight close() promise, shared with any concurrent caller so they
       * observe the same outcome instead of an early, unconditional resolve.
       */
      #closePromise;
      #clientSideCache;
      get clientSideCache() {
        return this._self.#clientSideCache;
      }
      /**
       * @internal
       * Returns the pool identity for tracking in metrics.
       */
      get identity() {
        return this._self.#identity;
      }
      /**
       * You are probably looking for {@link RedisClient.createPool `RedisClient.createPool`},
       * {@link RedisClientPool.fromClient `RedisClientPool.fromClient`},
       * or {@link RedisClientPool.fromOptions `RedisClientPool.fromOptions`}...
       */
      constructor(clientOptions, options) {
        super();
        const socketOpts = clientOptions?.socket;
        this.#identity = {
          id: (0, identity_1.generateClientId)(socketOpts?.host, socketOpts?.port, clientOptions?.database),
          role: identity_1.ClientRole.POOL
        };
        this.#options = {
          ..._RedisClientPool.#DEFAULTS,
          ...options
        };
        if (options?.clientSideCache) {
          if (clientOptions === void 0) {
            clientOptions = {};
          }
          if (options.clientSideCache instanceof cache_1.PooledClientSideCacheProvider) {
            this.#clientSideCache = clientOptions.clientSideCache = options.clientSideCache;
          } else {
            const cscConfig = options.clientSideCache;
            this.#clientSideCache = clientOptions.clientSideCache = new cache_1.BasicPooledClientSideCache(cscConfig);
          }
        }
        clientOptions = { ...clientOptions, himportRegistry: new registry_1.FieldsetRegistry() };
        this._keyPrefix = clientOptions?.keyPrefix;
        if (clientOptions?.keyPrefix !== void 0) {
          clientOptions = { ...clientOptions, keyPrefix: void 0 };
        }
        this.#clientFactory = _1.default.factory(clientOptions).bind(void 0, clientOptions);
        this._commandOptions = clientOptions?.commandOptions;
      }
      _self = this;
      _commandOptions;
      /**
       * The configured key prefix (see {@link RedisClientOptions.keyPrefix}), if any.
       * The pool builds the (prefixed) parser itself, so it is stripped from the options
       * handed to pooled clients to avoid double-prefixing.
       * @internal
       */
      _keyPrefix;
      withCommandOptions(options) {
        const proxy = Object.create(this._self);
        proxy._commandOptions = options;
        return proxy;
      }
      // Plain (not `#`) method so it can be invoked on prototype-derived proxies
      // returned by `withCommandOptions(...)` — JS private (`#`) methods aren't
      // accessible through the prototype chain, which would force the helper to
      // be called via `this._self`, discarding any prior proxy overrides.
      _commandOptionsProxy(key, value) {
        const proxy = Object.create(this._self);
        proxy._commandOptions = { ...this._commandOptions, [key]: value };
        return proxy;
      }
      /**
       * Override the `typeMapping` command option
       */
      withTypeMapping(typeMapping) {
        return this._commandOptionsProxy("typeMapping", typeMapping);
      }
      /**
       * Override the `abortSignal` command option
       */
      withAbortSignal(abortSignal) {
        return this._commandOptionsProxy("abortSignal", abortSignal);
      }
      /**
       * Override the `asap` command option to `true`
       * TODO: remove?
       */
      asap() {
        return this._commandOptionsProxy("asap", true);
      }
      async connect() {
        if (this._self.#isOpen)
          return;
        this._self.#isOpen = true;
        const promises = [];
        while (promises.length < this._self.#options.minimum) {
          promises.push(this._self.#create());
        }
        try {
          await Promise.all(promises);
        } catch (err) {
          this.destroy();
          throw err;
        }
        return this;
      }
      async #create() {
        const client = this._self.#clientFactory();
        client._setIdentity(identity_1.ClientRole.POOL_MEMBER, this._self.#identity.id);
        client.on("error", (err) => this.emit("error", err));
        const node = this._self.#clientsInUse.push(client);
        try {
          await client.connect();
        } catch (err) {
          this._self.#clientsInUse.remove(node);
          if (this._self.isClosing && this._self.#clientsInUse.length === 0) {
            let task;
            while (task = this._self.#tasksQueue.shift()) {
              clearTimeout(task.timeout);
              task.reject(err);
            }
            this._self.#drainResolve?.();
          }
          throw err;
        }
        this._self.#returnClient(node);
      }
      execute(fn) {
        return new Promise((resolve, reject) => {
          if (this._self.isClosing || !this._self.#isOpen) {
            return reject(new errors_1.ClientClosedError());
          }
          const waitStartTimestamp = node_perf_hooks_1.performance.now();
          const client = this._self.#idleClients.shift();
          if (!client) {
            let timeout;
            if (this._self.#options.acquireTimeout > 0) {
              timeout = setTimeout(() => {
                this._self.#tasksQueue.remove(task);
                reject(new errors_1.TimeoutError(`Timeout waiting for a client after ${this._self.#options.acquireTimeout}ms`));
              }, this._self.#options.acquireTimeout);
            }
            const task = this._self.#tasksQueue.push({
              timeout,
              // @ts-expect-error -- resolve generic variance
              resolve,
              reject,
              fn,
              waitStartTimestamp
            });
            if (this.totalClients < this._self.#options.maximum) {
              this._self.#create().catch((err) => {
                this._self.#tasksQueue.remove(task);
                clearTimeout(timeout);
                reject(err);
              });
            }
            return;
          }
          const node = this._self.#clientsInUse.push(client);
          (0, tracing_1.publish)(tracing_1.CHANNELS.POOL_CONNECTION_WAIT, () => ({ clientId: client._clientId, waitStartTimestamp }));
          this._self.#executeTask(node, resolve, reject, fn);
        });
      }
      #executeTask(node, resolve, reject, fn) {
        let result;
        try {
          result = fn(node.value);
        } catch (err) {
          reject(err);
          this.#returnClient(node);
          return;
        }
        if (result instanceof Promise) {
          result.then(resolve, reject).finally(() => {
            this.#returnClient(node);
          });
        } else {
          resolve(result);
          this.#returnClient(node);
        }
      }
      #returnClient(node) {
        const task = this.#tasksQueue.shift();
        if (task) {
          clearTimeout(task.timeout);
          (0, tracing_1.publish)(tracing_1.CHANNELS.POOL_CONNECTION_WAIT, () => ({ clientId: node.value._clientId, waitStartTimestamp: task.waitStartTimestamp }));
          this.#executeTask(node, task.resolve, task.reject, task.fn);
          return;
        }
        this.#clientsInUse.remove(node);
        this.#idleClients.push(node.value);
        if (this.isClosing && this.#clientsInUse.length === 0) {
          this.#drainResolve?.();
          return;
        }
        this.#scheduleCleanup();
      }
      cleanupTimeout;
      #scheduleCleanup() {
        if (this.totalClients <= this.#options.minimum)
          return;
        clearTimeout(this.cleanupTimeout);
        this.cleanupTimeout = setTimeout(() => this.#cleanup(), this.#options.cleanupDelay);
      }
      #cleanup() {
        const toDestroy = Math.min(this.#idleClients.length, this.totalClients - this.#options.minimum);
        for (let i = 0; i < toDestroy; i++) {
          const client = this.#idleClients.shift();
          client.destroy();
        }
      }
      sendCommand(args, options) {
        const mergedOptions = { ...this._commandOptions, ...options };
        return this.execute((client) => client.sendCommand(args, mergedOptions));
      }
      MULTI() {
        return new this.Multi((commands, selectedDB) => this.execute((client) => client._executeMulti(commands, selectedDB)), (commands, selectedDB) => this.execute((client) => client._executePipeline(commands, selectedDB)), this._commandOptions?.typeMapping, this._self._keyPrefix);
      }
      multi = this.MULTI;
      async close() {
        if (this._self.isClosing)
          return this._self.#closePromise;
        if (!this._self.#isOpen)
          return;
        clearTimeout(this._self.cleanupTimeout);
        this._self.#closePromise = Promise.resolve().then(() => this._self.#doClose());
        return this._self.#closePromise;
      }
      async #doClose() {
        try {
          if (this._self.#clientsInUse.length > 0) {
            await new Promise((resolve) => {
              this._self.#drainResolve = resolve;
            });
          }
          const promises = [];
          for (const client of this._self.#idleClients) {
            promises.push(client.close().catch((err) => {
              try {
                client.destroy();
              } catch {
              }
              throw err;
            }));
          }
          const results = await Promise.allSettled(promises);
          for (const result of results) {
            if (result.status === "rejected")
              throw result.reason;
          }
        } finally {
          try {
            this._self.#clientSideCache?.onPoolClose();
          } catch {
          }
          this._self.#idleClients.reset();
          this._self.#clientsInUse.reset();
          this._self.#drainResolve = void 0;
          this._self.#isOpen = false;
          this._self.#closePromise = void 0;
        }
      }
      destroy() {
        for (const client of this._self.#idleClients) {
          client.destroy();
        }
        this._self.#idleClients.reset();
        for (const client of this._self.#clientsInUse) {
          client.destroy();
        }
        this._self.#clientSideCache?.onPoolClose();
        this._self.#clientsInUse.reset();
        this._self.#isOpen = false;
      }
    };
    exports.RedisClientPool = RedisClientPool;
  }
});

// dist/lib/commands/generic-transformers.js
var require_generic_transformers = __commonJS({
  "dist/lib/commands/generic-transformers.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.transformRedisJsonNullReply = exports.transformRedisJsonReply = exports.transformRedisJsonArgument = exports.transformStreamsMessagesReplyResp3Compat = exports.transformStreamsMessagesReplyResp3 = exports.transformStreamsMessagesReplyResp2 = exports.transformStreamMessagesReply = exports.transformStreamMessageNullReply = exports.transformStreamMessageReply = exports.parseArgs = exports.parseZKeysArguments = exports.transformRangeReply = exports.parseSlotRangesArguments = exports.transformFunctionListItemReply = exports.RedisFunctionFlags = exports.transformCommandReply = exports.transformKeySpec = exports.CommandCategories = exports.CommandFlags = exports.parseOptionalVariadicArgument = exports.pushVariadicArgument = exports.pushVariadicNumberArguments = exports.pushVariadicArguments = exports.pushEvalArguments = exports.evalFirstKeyIndex = exports.transformPXAT = exports.transformEXAT = exports.transformSortedSetReply = exports.transformTuplesReply = exports.createTransformTuplesReplyFunc = exports.transformTuplesToMap = exports.transformNullableDoubleReply = exports.createTransformNullableDoubleReplyResp2Func = exports.transformDoubleArrayReply = exports.createTransformDoubleReplyResp2Func = exports.transformDoubleReply = exports.transformStringDoubleArgument = exports.transformDoubleArgument = exports.transformBooleanArrayReply = exports.transformBooleanReply = exports.isArrayReply = exports.isNullReply = void 0;
    var parser_1 = require_parser();
    var policies_constants_1 = require_policies_constants();
    var decoder_1 = require_decoder();
    function isNullReply(reply) {
      return reply === null;
    }
    exports.isNullReply = isNullReply;
    function isArrayReply(reply) {
      return Array.isArray(reply);
    }
    exports.isArrayReply = isArrayReply;
    exports.transformBooleanReply = {
      2: (reply) => reply === 1,
      3: void 0
    };
    exports.transformBooleanArrayReply = {
      2: (reply) => {
        return reply.map(exports.transformBooleanReply[2]);
      },
      3: void 0
    };
    function transformDoubleArgument(num) {
      switch (num) {
        case Infinity:
          return "+inf";
        case -Infinity:
          return "-inf";
        default:
          return num.toString();
      }
    }
    exports.transformDoubleArgument = transformDoubleArgument;
    function transformStringDoubleArgument(num) {
      if (typeof num !== "number")
        return num;
      return transformDoubleArgument(num);
    }
    exports.transformStringDoubleArgument = transformStringDoubleArgument;
    exports.transformDoubleReply = {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches TransformReply contract
      2: (reply, preserve, typeMapping) => {
        const double = typeMapping ? typeMapping[decoder_1.RESP_TYPES.DOUBLE] : void 0;
        switch (double) {
          case String: {
            return reply;
          }
          default: {
            let ret;
            switch (reply.toString()) {
              case "inf":
              case "+inf":
                ret = Infinity;
                break;
              case "-inf":
                ret = -Infinity;
                break;
              case "nan":
                ret = NaN;
                break;
              default:
                ret = Number(reply);
            }
            return ret;
          }
        }
      },
      3: void 0
    };
    function createTransformDoubleReplyResp2Func(preserve, typeMapping) {
      return (reply) => {
        return exports.transformDoubleReply[2](reply, preserve, typeMapping);
      };
    }
    exports.createTransformDoubleReplyResp2Func = createTransformDoubleReplyResp2Func;
    exports.transformDoubleArrayReply = {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches TransformReply contract
      2: (reply, preserve, typeMapping) => {
        return reply.map(createTransformDoubleReplyResp2Func(preserve, typeMapping));
      },
      3: void 0
    };
    function createTransformNullableDoubleReplyResp2Func(preserve, typeMapping) {
      return (reply) => {
        return exports.transformNullableDoubleReply[2](reply, preserve, typeMapping);
      };
    }
    exports.createTransformNullableDoubleReplyResp2Func = createTransformNullableDoubleReplyResp2Func;
    exports.transformNullableDoubleReply = {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches TransformReply contract
      2: (reply, preserve, typeMapping) => {
        if (reply === null)
          return null;
        return exports.transformDoubleReply[2](reply, preserve, typeMapping);
      },
      3: void 0
    };
    function transformTuplesToMap(reply, func) {
      const message = {};
      for (let i = 0; i < reply.length; i += 2) {
        message[reply[i].toString()] = func(reply[i + 1]);
      }
      return message;
    }
    exports.transformTuplesToMap = transformTuplesToMap;
    function createTransformTuplesReplyFunc(preserve, typeMapping) {
      return (reply) => {
        return transformTuplesReply(reply, preserve, typeMapping);
      };
    }
    exports.createTransformTuplesReplyFunc = createTransformTuplesReplyFunc;
    function transformTuplesReply(reply, preserve, typeMapping) {
      const mapType = typeMapping ? typeMapping[decoder_1.RESP_TYPES.MAP] : void 0;
      const inferred = reply;
      switch (mapType) {
        case Array: {
          return reply;
        }
        case Map: {
          const ret = /* @__PURE__ */ new Map();
          for (let i = 0; i < inferred.length; i += 2) {
            ret.set(inferred[i].toString(), inferred[i + 1]);
          }
          return ret;
          ;
        }
        default: {
          const ret = {};
          for (let i = 0; i < inferred.length; i += 2) {
            ret[inferred[i].toString()] = inferred[i + 1];
          }
          return ret;
          ;
        }
      }
    }
    exports.transformTuplesReply = transformTuplesReply;
    exports.transformSortedSetReply = {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches TransformReply contract
      2: (reply, preserve, typeMapping) => {
        const inferred = reply, members = [];
        for (let i = 0; i < inferred.length; i += 2) {
          members.push({
            value: inferred[i],
            score: exports.transformDoubleReply[2](inferred[i + 1], preserve, typeMapping)
          });
        }
        return members;
      },
      3: (reply) => {
        return reply.map((member) => {
          const [value, score] = member;
          return {
            value,
            score
          };
        });
      }
    };
    function transformEXAT(EXAT) {
      return (typeof EXAT === "number" ? EXAT : Math.floor(EXAT.getTime() / 1e3)).toString();
    }
    exports.transformEXAT = transformEXAT;
    function transformPXAT(PXAT) {
      return (typeof PXAT === "number" ? PXAT : PXAT.getTime()).toString();
    }
    exports.transformPXAT = transformPXAT;
    function evalFirstKeyIndex(options) {
      return options?.keys?.[0];
    }
    exports.evalFirstKeyIndex = evalFirstKeyIndex;
    function pushEvalArguments(args, options) {
      if (options?.keys) {
        args.push(options.keys.length.toString(), ...options.keys);
      } else {
        args.push("0");
      }
      if (options?.arguments) {
        args.push(...options.arguments);
      }
      return args;
    }
    exports.pushEvalArguments = pushEvalArguments;
    function pushVariadicArguments(args, value) {
      if (Array.isArray(value)) {
        args = args.concat(value);
      } else {
        args.push(value);
      }
      return args;
    }
    exports.pushVariadicArguments = pushVariadicArguments;
    function pushVariadicNumberArguments(args, value) {
      if (Array.isArray(value)) {
        for (const item of value) {
          args.push(item.toString());
        }
      } else {
        args.push(value.toString());
      }
      return args;
    }
    exports.pushVariadicNumberArguments = pushVariadicNumberArguments;
    function pushVariadicArgument(args, value) {
      if (Array.isArray(value)) {
        args.push(value.length.toString(), ...value);
      } else {
        args.push("1", value);
      }
      return args;
    }
    exports.pushVariadicArgument = pushVariadicArgument;
    function parseOptionalVariadicArgument(parser, name, value) {
      if (value === void 0)
        return;
      parser.push(name);
      parser.pushVariadicWithLength(value);
    }
    exports.parseOptionalVariadicArgument = parseOptionalVariadicArgument;
    var CommandFlags;
    (function(CommandFlags2) {
      CommandFlags2["WRITE"] = "write";
      CommandFlags2["READONLY"] = "readonly";
      CommandFlags2["DENYOOM"] = "denyoom";
      CommandFlags2["ADMIN"] = "admin";
      CommandFlags2["PUBSUB"] = "pubsub";
      CommandFlags2["NOSCRIPT"] = "noscript";
      CommandFlags2["RANDOM"] = "random";
      CommandFlags2["SORT_FOR_SCRIPT"] = "sort_for_script";
      CommandFlags2["LOADING"] = "loading";
      CommandFlags2["STALE"] = "stale";
      CommandFlags2["SKIP_MONITOR"] = "skip_monitor";
      CommandFlags2["ASKING"] = "asking";
      CommandFlags2["FAST"] = "fast";
      CommandFlags2["MOVABLEKEYS"] = "movablekeys";
    })(CommandFlags || (exports.CommandFlags = CommandFlags = {}));
    var CommandCategories;
    (function(CommandCategories2) {
      CommandCategories2["KEYSPACE"] = "@keyspace";
      CommandCategories2["READ"] = "@read";
      CommandCategories2["WRITE"] = "@write";
      CommandCategories2["SET"] = "@set";
      CommandCategories2["SORTEDSET"] = "@sortedset";
      CommandCategories2["LIST"] = "@list";
      CommandCategories2["HASH"] = "@hash";
      CommandCategories2["STRING"] = "@string";
      CommandCategories2["BITMAP"] = "@bitmap";
      CommandCategories2["HYPERLOGLOG"] = "@hyperloglog";
      CommandCategories2["GEO"] = "@geo";
      CommandCategories2["STREAM"] = "@stream";
      CommandCategories2["PUBSUB"] = "@pubsub";
      CommandCategories2["ADMIN"] = "@admin";
      CommandCategories2["FAST"] = "@fast";
      CommandCategories2["SLOW"] = "@slow";
      CommandCategories2["BLOCKING"] = "@blocking";
      CommandCategories2["DANGEROUS"] = "@dangerous";
      CommandCategories2["CONNECTION"] = "@connection";
      CommandCategories2["TRANSACTION"] = "@transaction";
      CommandCategories2["SCRIPTING"] = "@scripting";
    })(CommandCategories || (exports.CommandCategories = CommandCategories = {}));
    function normalizeKeySpecMap(raw) {
      if (raw === null || typeof raw !== "object")
        return void 0;
      if (!Array.isArray(raw))
        return raw;
      if (raw.length % 2 !== 0)
        return void 0;
      const normalized = {};
      for (let i = 0; i < raw.length; i += 2) {
        const field = raw[i];
        if (typeof field !== "string")
          return void 0;
        normalized[field] = raw[i + 1];
      }
      return normalized;
    }
    function transformNumber(raw) {
      const value = Number(raw);
      return Number.isInteger(value) ? value : void 0;
    }
    var UNKNOWN_KEY_SPEC_PART = { type: "unknown" };
    function transformBeginSearch(raw) {
      const beginSearch = normalizeKeySpecMap(raw);
      const spec = normalizeKeySpecMap(beginSearch?.spec);
      if (!beginSearch || !spec)
        return UNKNOWN_KEY_SPEC_PART;
      switch (beginSearch.type) {
        case "index": {
          const index = transformNumber(spec.index);
          if (index !== void 0)
            return { type: "index", index };
          break;
        }
        case "keyword": {
          const startFrom = transformNumber(spec.startfrom);
          if (typeof spec.keyword === "string" && startFrom !== void 0) {
            return { type: "keyword", keyword: spec.keyword, startFrom };
          }
          break;
        }
      }
      return UNKNOWN_KEY_SPEC_PART;
    }
    function transformFindKeys(raw) {
      const findKeys = normalizeKeySpecMap(raw);
      const spec = normalizeKeySpecMap(findKeys?.spec);
      if (!findKeys || !spec)
        return UNKNOWN_KEY_SPEC_PART;
      switch (findKeys.type) {
        case "range": {
          const lastKey = transformNumber(spec.lastkey), keyStep = transformNumber(spec.keystep), limit = transformNumber(spec.limit);
          if (lastKey !== void 0 && keyStep !== void 0 && limit !== void 0) {
            return { type: "range", lastKey, keyStep, limit };
          }
          break;
        }
        case "keynum": {
          const keyNumIdx = transformNumber(spec.keynumidx), firstKey = transformNumber(spec.firstkey), keyStep = transformNumber(spec.keystep);
          if (keyNumIdx !== void 0 && firstKey !== void 0 && keyStep !== void 0) {
            return { type: "keynum", keyNumIdx, firstKey, keyStep };
          }
          break;
        }
      }
      return UNKNOWN_KEY_SPEC_PART;
    }
    function transformKeySpec(raw) {
      const entry = normalizeKeySpecMap(raw);
      return {
        beginSearch: transformBeginSearch(entry?.begin_search),
        findKeys: transformFindKeys(entry?.find_keys)
      };
    }
    exports.transformKeySpec = transformKeySpec;
    function transformCommandReply([name, arity, flags, firstKeyIndex, lastKeyIndex, step, categories, tips = [], keySpecifications = [], subcommandsReply = []]) {
      let requestPolicy;
      let responsePolicy;
      let nondeterministicOutput = false;
      const otherTips = [];
      for (const tip of tips) {
        if (tip.startsWith("request_policy:")) {
          const raw = tip.slice("request_policy:".length);
          if (Object.values(policies_constants_1.REQUEST_POLICIES_WITH_DEFAULTS).includes(raw)) {
            requestPolicy = raw;
          }
        } else if (tip.startsWith("response_policy:")) {
          const raw = tip.slice("response_policy:".length);
          if (Object.values(policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS).includes(raw)) {
            responsePolicy = raw;
          }
        } else {
          otherTips.push(tip);
          if (tip === "nondeterministic_output") {
            nondeterministicOutput = true;
          }
        }
      }
      const subcommands = subcommandsReply.map(transformCommandReply);
      return {
        name,
        arity,
        flags: new Set(flags),
        firstKeyIndex,
        lastKeyIndex,
        step,
        categories: new Set(categories),
        policies: {
          request: requestPolicy,
          response: responsePolicy
        },
        isKeyless: keySpecifications.length === 0,
        nondeterministicOutput,
        tips: otherTips,
        keySpecs: keySpecifications.map(transformKeySpec),
        subcommands
      };
    }
    exports.transformCommandReply = transformCommandReply;
    var RedisFunctionFlags;
    (function(RedisFunctionFlags2) {
      RedisFunctionFlags2["NO_WRITES"] = "no-writes";
      RedisFunctionFlags2["ALLOW_OOM"] = "allow-oom";
      RedisFunctionFlags2["ALLOW_STALE"] = "allow-stale";
      RedisFunctionFlags2["NO_CLUSTER"] = "no-cluster";
    })(RedisFunctionFlags || (exports.RedisFunctionFlags = RedisFunctionFlags = {}));
    function transformFunctionListItemReply(reply) {
      return {
        libraryName: reply[1],
        engine: reply[3],
        functions: reply[5].map((fn) => ({
          name: fn[1],
          description: fn[3],
          flags: fn[5]
        }))
      };
    }
    exports.transformFunctionListItemReply = transformFunctionListItemReply;
    function parseSlotRangeArguments(parser, range) {
      parser.push(range.start.toString(), range.end.toString());
    }
    function parseSlotRangesArguments(parser, ranges) {
      if (Array.isArray(ranges)) {
        for (const range of ranges) {
          parseSlotRangeArguments(parser, range);
        }
      } else {
        parseSlotRangeArguments(parser, ranges);
      }
    }
    exports.parseSlotRangesArguments = parseSlotRangesArguments;
    function transformRangeReply([start, end]) {
      return {
        start,
        end
      };
    }
    exports.transformRangeReply = transformRangeReply;
    function parseZKeysArguments(parser, keys) {
      if (Array.isArray(keys)) {
        parser.push(keys.length.toString());
        if (keys.length) {
          if (isPlainKeys(keys)) {
            parser.pushKeys(keys);
          } else {
            for (let i = 0; i < keys.length; i++) {
              parser.pushKey(keys[i].key);
            }
            parser.push("WEIGHTS");
            for (let i = 0; i < keys.length; i++) {
              parser.push(transformDoubleArgument(keys[i].weight));
            }
          }
        }
      } else {
        parser.push("1");
        if (isPlainKey(keys)) {
          parser.pushKey(keys);
        } else {
          parser.pushKey(keys.key);
          parser.push("WEIGHTS", transformDoubleArgument(keys.weight));
        }
      }
    }
    exports.parseZKeysArguments = parseZKeysArguments;
    function isPlainKey(key) {
      return typeof key === "string" || key instanceof Buffer;
    }
    function isPlainKeys(keys) {
      return isPlainKey(keys[0]);
    }
    function parseArgs(command, ...args) {
      const parser = new parser_1.BasicCommandParser();
      command.parseCommand(parser, ...args);
      const redisArgs = parser.redisArgs;
      if (parser.preserve) {
        redisArgs.preserve = parser.preserve;
      }
      return redisArgs;
    }
    exports.parseArgs = parseArgs;
    function transformStreamMessageReply(typeMapping, reply) {
      const [id, message, millisElapsedFromDelivery, deliveriesCounter] = reply;
      return {
        id,
        message: transformTuplesReply(message, void 0, typeMapping),
        ...millisElapsedFromDelivery !== void 0 ? { millisElapsedFromDelivery } : {},
        ...deliveriesCounter !== void 0 ? { deliveriesCounter } : {}
      };
    }
    exports.transformStreamMessageReply = transformStreamMessageReply;
    function transformStreamMessageNullReply(typeMapping, reply) {
      return isNullReply(reply) ? reply : transformStreamMessageReply(typeMapping, reply);
    }
    exports.transformStreamMessageNullReply = transformStreamMessageNullReply;
    function transformStreamMessagesReply(r, typeMapping) {
      const reply = r;
      return reply.map(transformStreamMessageReply.bind(void 0, typeMapping));
    }
    exports.transformStreamMessagesReply = transformStreamMessagesReply;
    function transformStreamsMessagesReplyResp2(reply, preserve, typeMapping) {
      if (reply === null)
        return null;
      switch (typeMapping ? typeMapping[decoder_1.RESP_TYPES.MAP] : void 0) {
        /* FUTURE: a response type for when resp3 is working properly
            case Map: {
              const ret = new Map<string, StreamMessagesReply>();
        
              for (let i=0; i < reply.length; i++) {
                const stream = reply[i] as unknown as UnwrapReply<StreamMessagesRawReply>;
        
                const name = stream[0];
                const rawMessages = stream[1];
        
                ret.set(name.toString(), transformStreamMessagesReply(rawMessages, typeMapping));
              }
        
              return ret as unknown as MapReply<string, StreamMessagesReply>;
            }
            case Array: {
              const ret: Array<BlobStringReply | StreamMessagesReply> = [];
        
              for (let i=0; i < reply.length; i++) {
                const stream = reply[i] as unknown as UnwrapReply<StreamMessagesRawReply>;
        
                const name = stream[0];
                const rawMessages = stream[1];
        
                ret.push(name);
                ret.push(transformStreamMessagesReply(rawMessages, typeMapping));
              }
        
              return ret as unknown as MapReply<string, StreamMessagesReply>;
            }
            default: {
              const ret: Record<string, StreamMessagesReply> = {};
        
              for (let i=0; i < reply.length; i++) {
                const stream = reply[i] as unknown as UnwrapReply<StreamMessagesRawReply>;
        
                const name = stream[0] as unknown as UnwrapReply<BlobStringReply>;
                const rawMessages = stream[1];
        
                ret[name.toString()] = transformStreamMessagesReply(rawMessages);
              }
        
              return ret as unknown as MapReply<string, StreamMessagesReply>;
            }
        */
        // V4 compatible response type
        default: {
          const ret = [];
          for (let i = 0; i < reply.length; i++) {
            const stream = reply[i];
            ret.push({
              name: stream[0],
              messages: transformStreamMessagesReply(stream[1], typeMapping)
            });
          }
          return ret;
        }
      }
    }
    exports.transformStreamsMessagesReplyResp2 = transformStreamsMessagesReplyResp2;
    function transformStreamsMessagesReplyResp3(reply, typeMapping) {
      if (reply === null)
        return null;
      if (reply instanceof Map) {
        const ret = /* @__PURE__ */ new Map();
        for (const [n, rawMessages] of reply) {
          const name = n;
          ret.set(name.toString(), transformStreamMessagesReply(rawMessages, typeMapping));
        }
        return ret;
      } else if (reply instanceof Array) {
        const ret = [];
        for (let i = 0; i < reply.length; i += 2) {
          const name = reply[i];
          const rawMessages = reply[i + 1];
          ret.push(name);
          ret.push(transformStreamMessagesReply(rawMessages, typeMapping));
        }
        return ret;
      } else {
        const ret = {};
        for (const [name, rawMessages] of Object.entries(reply)) {
          ret[name] = transformStreamMessagesReply(rawMessages, typeMapping);
        }
        return ret;
      }
    }
    exports.transformStreamsMessagesReplyResp3 = transformStreamsMessagesReplyResp3;
    function transformStreamsMessagesReplyResp3Compat(reply, preserve, typeMapping) {
      const transformed = transformStreamsMessagesReplyResp3(reply, typeMapping);
      if (transformed === null)
        return null;
      const compat = [];
      if (transformed instanceof Map) {
        for (const [name, messages] of transformed.entries()) {
          compat.push({
            name,
            messages
          });
        }
        return compat;
      }
      if (Array.isArray(transformed)) {
        for (let i = 0; i < transformed.length; i += 2) {
          const rawName = transformed[i];
          compat.push({
            name: rawName?.toString?.() ?? rawName,
            messages: transformed[i + 1]
          });
        }
        return compat;
      }
      for (const [name, messages] of Object.entries(transformed)) {
        compat.push({
          name,
          messages
        });
      }
      return compat;
    }
    exports.transformStreamsMessagesReplyResp3Compat = transformStreamsMessagesReplyResp3Compat;
    function transformRedisJsonArgument(json) {
      return JSON.stringify(json);
    }
    exports.transformRedisJsonArgument = transformRedisJsonArgument;
    function transformRedisJsonReply(json, reviver) {
      const res = JSON.parse(json.toString(), reviver);
      return res;
    }
    exports.transformRedisJsonReply = transformRedisJsonReply;
    function transformRedisJsonNullReply(json, reviver) {
      return isNullReply(json) ? json : transformRedisJsonReply(json, reviver);
    }
    exports.transformRedisJsonNullReply = transformRedisJsonNullReply;
  }
});

// dist/package.json
var require_package = __commonJS({
  "dist/package.json"(exports, module) {
    module.exports = {
      name: "@redis/client",
      version: "6.3.1",
      license: "MIT",
      main: "./dist/index.js",
      types: "./dist/index.d.ts",
      files: [
        "dist/",
        "!dist/tsconfig.tsbuildinfo"
      ],
      scripts: {
        test: "npm run test:types && nyc -r text-summary -r lcov mocha -r tsx --reporter mocha-multi-reporters --reporter-options configFile=mocha-multi-reporter-config.json --exit './lib/**/*.spec.ts'",
        "test:types": "tsc -p tsconfig.types-test.json",
        "generate:metadata": "tsx ./scripts/generate-command-metadata-data.ts",
        release: "release-it"
      },
      dependencies: {},
      devDependencies: {
        "@node-rs/xxhash": "1.7.6",
        "@opentelemetry/api": "^1.9.0",
        "@opentelemetry/sdk-metrics": "^2.2.0",
        "@redis/test-utils": "*",
        "@types/sinon": "^17.0.3",
        sinon: "^17.0.1"
      },
      peerDependencies: {
        "@opentelemetry/api": ">=1 <2",
        "@node-rs/xxhash": "^1.1.0"
      },
      peerDependenciesMeta: {
        "@opentelemetry/api": {
          optional: true
        },
        "@node-rs/xxhash": {
          optional: true
        }
      },
      engines: {
        node: ">= 20.0.0"
      },
      repository: {
        type: "git",
        url: "git://github.com/redis/node-redis.git"
      },
      bugs: {
        url: "https://github.com/redis/node-redis/issues"
      },
      homepage: "https://github.com/redis/node-redis/tree/master/packages/client",
      keywords: [
        "redis"
      ]
    };
  }
});

// dist/lib/opentelemetry/client-registry.js
var require_client_registry = __commonJS({
  "dist/lib/opentelemetry/client-registry.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.ClientRegistry = void 0;
    var NoOpClientRegistry = class {
      register(_handle) {
      }
      unregister(_clientId) {
      }
      getById(_clientId) {
        return void 0;
      }
      getAll() {
        return [];
      }
    };
    var ClientRegistryImpl = class {
      #clients = /* @__PURE__ */ new Map();
      register(handle) {
        this.#clients.set(handle.identity.id, handle);
      }
      unregister(clientId) {
        this.#clients.delete(clientId);
      }
      getById(clientId) {
        return this.#clients.get(clientId);
      }
      getAll() {
        return this.#clients.values();
      }
    };
    var ClientRegistry = class _ClientRegistry {
      static #instance = new NoOpClientRegistry();
      static #initialized = false;
      constructor() {
      }
      /**
       * Initialize the client registry with the real implementation.
       * Should be called from OpenTelemetry.init().
       */
      static init() {
        if (_ClientRegistry.#initialized) {
          return;
        }
        _ClientRegistry.#instance = new ClientRegistryImpl();
        _ClientRegistry.#initialized = true;
      }
      /**
       * Get the current registry instance.
       * Returns NoOp registry if not initialized, real registry otherwise.
       */
      static get instance() {
        return _ClientRegistry.#instance;
      }
      /**
       * Check if the registry has been initialized.
       */
      static isInitialized() {
        return _ClientRegistry.#initialized;
      }
      /**
       * Reset the registry to its initial state (NoOp).
       * Only for testing purposes.
       * @internal
       */
      static reset() {
        _ClientRegistry.#instance = new NoOpClientRegistry();
        _ClientRegistry.#initialized = false;
      }
    };
    exports.ClientRegistry = ClientRegistry;
  }
});

// dist/lib/opentelemetry/types.js
var require_types3 = __commonJS({
  "dist/lib/opentelemetry/types.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.METRIC_ERROR_ORIGIN = exports.METRIC_ERROR_TYPE = exports.DEFAULT_HISTOGRAM_BUCKETS = exports.DEFAULT_METRIC_GROUPS = exports.METRIC_NAMES = exports.DEFAULT_OTEL_ATTRIBUTES = exports.INSTRUMENTATION_SCOPE_NAME = exports.CSC_EVICTION_REASON = exports.CSC_RESULT = exports.CONNECTION_CLOSE_REASON = exports.ERROR_CATEGORY = exports.OTEL_ATTRIBUTES = exports.METRIC_GROUP = void 0;
    var package_json_1 = require_package();
    exports.METRIC_GROUP = {
      COMMAND: "command",
      CONNECTION_BASIC: "connection-basic",
      CONNECTION_ADVANCED: "connection-advanced",
      RESILIENCY: "resiliency",
      PUBSUB: "pubsub",
      STREAMING: "streaming",
      CLIENT_SIDE_CACHING: "client-side-caching"
    };
    exports.OTEL_ATTRIBUTES = {
      // Database & network
      dbSystemName: "db.system.name",
      dbNamespace: "db.namespace",
      dbOperationName: "db.operation.name",
      dbResponseStatusCode: "db.response.status_code",
      errorType: "error.type",
      serverAddress: "server.address",
      serverPort: "server.port",
      networkPeerAddress: "network.peer.address",
      networkPeerPort: "network.peer.port",
      dbStoredProcedureName: "db.stored_procedure.name",
      dbClientConnectionPoolName: "db.client.connection.pool.name",
      dbClientConnectionState: "db.client.connection.state",
      // Redis-specific extensions
      redisClientLibrary: "redis.client.library",
      redisRedirectionKind: "redis.client.redirection.kind",
      redisClientErrorsInternal: "redis.client.errors.internal",
      redisClientErrorsCategory: "redis.client.errors.category",
      redisClientConnectionCloseReason: "redis.client.connection.close.reason",
      redisClientCscResult: "redis.client.csc.result",
      redisClientCscReason: "redis.client.csc.reason",
      redisClientPubSubChannel: "redis.client.pubsub.channel",
      redisClientPubSubSharded: "redis.client.pubsub.sharded",
      redisClientPubSubMessageDirection: "redis.client.pubsub.message.direction",
      redisClientStreamName: "redis.client.stream.name",
      redisClientConsumerGroup: "redis.client.stream.consumer_group",
      redisClientOperationRetryAttempts: "redis.client.operation.retry_attempts",
      redisClientOperationBlocking: "redis.client.operation.blocking",
      redisClientConnectionNotification: "redis.client.connection.notification",
      redisClientParentId: "redis.client.parent.id"
    };
    exports.ERROR_CATEGORY = {
      NETWORK: "network",
      TLS: "tls",
      AUTH: "auth",
      SERVER: "server",
      OTHER: "other"
    };
    exports.CONNECTION_CLOSE_REASON = {
      APPLICATION_CLOSE: "application_close",
      POOL_EVICTION_IDLE: "pool_eviction_idle",
      SERVER_CLOSE: "server_close",
      ERROR: "error",
      HEALTHCHECK_FAILED: "healthcheck_failed"
    };
    exports.CSC_RESULT = {
      HIT: "hit",
      MISS: "miss"
    };
    exports.CSC_EVICTION_REASON = {
      FULL: "full",
      INVALIDATION: "invalidation",
      TTL: "ttl"
    };
    exports.INSTRUMENTATION_SCOPE_NAME = "node-redis";
    exports.DEFAULT_OTEL_ATTRIBUTES = {
      [exports.OTEL_ATTRIBUTES.redisClientLibrary]: `node-redis:${package_json_1.version}`,
      [exports.OTEL_ATTRIBUTES.dbSystemName]: "redis"
    };
    exports.METRIC_NAMES = {
      // Command metrics
      dbClientOperationDuration: "db.client.operation.duration",
      // Connection metrics
      // Renamed from db.client.connection.count (was always state=used, misleading).
      redisClientConnectionCount: "redis.client.connection.count",
      dbClientConnectionCreateTime: "db.client.connection.create_time",
      redisClientConnectionRelaxedTimeout: "redis.client.connection.relaxed_timeout",
      redisClientConnectionHandoff: "redis.client.connection.handoff",
      // Connection Advanced metrics
      // dbClientConnectionPendingRequests: disabled until naming/behavior is settled.
      dbClientConnectionWaitTime: "db.client.connection.wait_time",
      redisClientConnectionClosed: "redis.client.connection.closed",
      // Resiliency metrics
      redisClientErrors: "redis.client.errors",
      redisClientMaintenanceNotifications: "redis.client.maintenance.notifications",
      // PubSub metrics
      redisClientPubsubMessages: "redis.client.pubsub.messages",
      // Stream metrics
      redisClientStreamLag: "redis.client.stream.lag",
      // Client-Side Caching metrics
      redisClientCscRequests: "redis.client.csc.requests",
      redisClientCscItems: "redis.client.csc.items",
      redisClientCscEvictions: "redis.client.csc.evictions"
      // redisClientCscNetworkSaved: disabled until payload size is tracked at the socket layer.
    };
    exports.DEFAULT_METRIC_GROUPS = [
      "connection-basic",
      "resiliency"
    ];
    var DEFAULT_HISTOGRAM_BUCKET = [1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];
    exports.DEFAULT_HISTOGRAM_BUCKETS = {
      OPERATION_DURATION: DEFAULT_HISTOGRAM_BUCKET,
      CONNECTION_CREATE_TIME: DEFAULT_HISTOGRAM_BUCKET,
      CONNECTION_WAIT_TIME: DEFAULT_HISTOGRAM_BUCKET,
      CONNECTION_USE_TIME: DEFAULT_HISTOGRAM_BUCKET,
      STREAM_LAG: DEFAULT_HISTOGRAM_BUCKET
    };
    exports.METRIC_ERROR_TYPE = {
      MOVED: "MOVED",
      ASK: "ASK",
      HANDSHAKE_FAILED: "HANDSHAKE_FAILED"
    };
    exports.METRIC_ERROR_ORIGIN = {
      CLIENT: "client",
      CLUSTER: "cluster"
    };
  }
});

// dist/lib/opentelemetry/utils/error.util.js
var require_error_util = __commonJS({
  "dist/lib/opentelemetry/utils/error.util.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.isRedirectionError = exports.getErrorInfo = void 0;
    var types_1 = require_types3();
    var errors_1 = require_errors();
    var REDIS_ERROR_PREFIX_REGEX = /^([A-Z][A-Z0-9_]*)\s/;
    function extractRedisStatusCode(error) {
      if (!(error instanceof errors_1.ErrorReply)) {
        return void 0;
      }
      const match = REDIS_ERROR_PREFIX_REGEX.exec(error.message);
      return match?.[1];
    }
    var NETWORK_ERROR_CODES = /* @__PURE__ */ new Set([
      "ECONNREFUSED",
      "ECONNRESET",
      "ETIMEDOUT",
      "ENOTFOUND",
      "ENETUNREACH",
      "EHOSTUNREACH",
      "EPIPE",
      "ECONNABORTED",
      "EAI_AGAIN"
    ]);
    var TLS_ERROR_CODES = /* @__PURE__ */ new Set([
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "CERT_HAS_EXPIRED",
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      "SELF_SIGNED_CERT_IN_CHAIN",
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "CERT_SIGNATURE_FAILURE",
      "ERR_SSL_WRONG_VERSION_NUMBER"
    ]);
    var AUTH_ERROR_PREFIXES = /* @__PURE__ */ new Set([
      "NOAUTH",
      "WRONGPASS",
      "NOPERM"
    ]);
    var SERVER_ERROR_PREFIXES = /* @__PURE__ */ new Set([
      "ASK",
      "BUSY",
      "BUSYGROUP",
      "BUSYKEY",
      "CLUSTERDOWN",
      "CROSSSLOT",
      "DENIED",
      "ERR",
      "EXECABORT",
      "INPROG",
      "INVALIDOBJ",
      "IOERR",
      "LOADING",
      "MASTERDOWN",
      "MISCONF",
      "MOVED",
      "NOAUTH",
      "NOGROUP",
      "NOGOODSLAVE",
      "NOMASTERLINK",
      "NOPERM",
      "NOPROTO",
      "NOQUORUM",
      "NOREPLICAS",
      "NOSCRIPT",
      "NOTBUSY",
      "NOTREADY",
      "OOM",
      "READONLY",
      "TRYAGAIN",
      "UNBLOCKED",
      "UNKILLABLE",
      "WRONGPASS",
      "WRONGTYPE"
    ]);
    function isNodeRedisNetworkError(error) {
      return error instanceof errors_1.ConnectionTimeoutError || error instanceof errors_1.SocketTimeoutError || error instanceof errors_1.SocketClosedUnexpectedlyError || error instanceof errors_1.SocketTimeoutDuringMaintenanceError || error instanceof errors_1.CommandTimeoutDuringMaintenanceError;
    }
    function isTlsErrorMessage(message) {
      const lowerMessage = message.toLowerCase();
      return lowerMessage.includes("certificate") || lowerMessage.includes("handshake") || lowerMessage.includes("ssl") || lowerMessage.includes("tls");
    }
    function categorizeRedisError(error) {
      const prefix = extractRedisStatusCode(error);
      if (!prefix) {
        return void 0;
      }
      if (AUTH_ERROR_PREFIXES.has(prefix)) {
        return types_1.ERROR_CATEGORY.AUTH;
      }
      if (SERVER_ERROR_PREFIXES.has(prefix)) {
        return types_1.ERROR_CATEGORY.SERVER;
      }
      return void 0;
    }
    function getCategory(error) {
      if (isNodeRedisNetworkError(error)) {
        return types_1.ERROR_CATEGORY.NETWORK;
      }
      const errorCode = error.code;
      if (errorCode) {
        if (NETWORK_ERROR_CODES.has(errorCode)) {
          return types_1.ERROR_CATEGORY.NETWORK;
        }
        if (TLS_ERROR_CODES.has(errorCode)) {
          return types_1.ERROR_CATEGORY.TLS;
        }
      }
      if (isTlsErrorMessage(error.message)) {
        return types_1.ERROR_CATEGORY.TLS;
      }
      const category = categorizeRedisError(error);
      if (category) {
        return category;
      }
      return types_1.ERROR_CATEGORY.OTHER;
    }
    function getErrorInfo(error) {
      if (!(error instanceof Error)) {
        return {
          errorType: "unknown",
          category: types_1.ERROR_CATEGORY.OTHER,
          statusCode: void 0
        };
      }
      const actualError = error instanceof errors_1.ReconnectStrategyError ? error.originalError : error;
      return {
        errorType: actualError.constructor.name,
        category: getCategory(actualError),
        statusCode: extractRedisStatusCode(actualError)
      };
    }
    exports.getErrorInfo = getErrorInfo;
    function isRedirectionError(statusCode) {
      return statusCode !== void 0 && (statusCode.startsWith(types_1.METRIC_ERROR_TYPE.ASK) || statusCode.startsWith(types_1.METRIC_ERROR_TYPE.MOVED));
    }
    exports.isRedirectionError = isRedirectionError;
  }
});

// dist/lib/opentelemetry/utils/index.js
var require_utils = __commonJS({
  "dist/lib/opentelemetry/utils/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.parseClientAttributes = exports.noopFunction = exports.isRedirectionError = exports.getErrorInfo = void 0;
    var types_1 = require_types3();
    var error_util_1 = require_error_util();
    Object.defineProperty(exports, "getErrorInfo", { enumerable: true, get: function() {
      return error_util_1.getErrorInfo;
    } });
    Object.defineProperty(exports, "isRedirectionError", { enumerable: true, get: function() {
      return error_util_1.isRedirectionError;
    } });
    function noopFunction() {
    }
    exports.noopFunction = noopFunction;
    var parseClientAttributes = (clientAttributes) => {
      return {
        ...clientAttributes?.db === void 0 ? {} : {
          [types_1.OTEL_ATTRIBUTES.dbNamespace]: clientAttributes.db.toString()
        },
        ...clientAttributes?.host && {
          [types_1.OTEL_ATTRIBUTES.serverAddress]: clientAttributes.host
        },
        ...clientAttributes?.port && {
          [types_1.OTEL_ATTRIBUTES.serverPort]: clientAttributes.port.toString()
        },
        ...clientAttributes?.clientId && {
          [types_1.OTEL_ATTRIBUTES.dbClientConnectionPoolName]: clientAttributes.clientId
        },
        ...clientAttributes?.parentId && {
          [types_1.OTEL_ATTRIBUTES.redisClientParentId]: clientAttributes.parentId
        }
      };
    };
    exports.parseClientAttributes = parseClientAttributes;
  }
});

// dist/lib/opentelemetry/metrics.js
var require_metrics = __commonJS({
  "dist/lib/opentelemetry/metrics.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.OTelMetrics = void 0;
    var client_registry_1 = require_client_registry();
    var types_1 = require_types3();
    var utils_1 = require_utils();
    var errors_1 = require_errors();
    var tracing_1 = require_tracing();
    function resolveClientAttributes(clientId) {
      return clientId ? client_registry_1.ClientRegistry.instance.getById(clientId)?.getAttributes() : void 0;
    }
    function subscribeCommandTC(tc, handlers) {
      const h = handlers;
      tc.subscribe(h);
      return () => tc.unsubscribe(h);
    }
    function subscribeBatchTC(tc, handlers) {
      const h = handlers;
      tc.subscribe(h);
      return () => tc.unsubscribe(h);
    }
    var OTelCommandMetrics = class {
      #instruments;
      #options;
      #metricsState = /* @__PURE__ */ new WeakMap();
      #unsubscribers = [];
      constructor(options, instruments) {
        this.#options = options;
        this.#instruments = instruments;
        this.#subscribeToTracingChannel();
      }
      #subscribeToTracingChannel() {
        const commandTC = (0, tracing_1.getTracingChannel)(tracing_1.CHANNELS.TRACE_COMMAND);
        const batchTC = (0, tracing_1.getTracingChannel)(tracing_1.CHANNELS.TRACE_BATCH);
        if (!commandTC || !batchTC)
          return;
        const onStart = (ctx) => {
          const commandName = ctx.command?.toString() || "UNKNOWN";
          if (this.#isCommandExcluded(commandName))
            return;
          this.#metricsState.set(ctx, {
            startTime: performance.now(),
            clientAttributes: resolveClientAttributes(ctx.clientId),
            commandName
          });
        };
        const onAsyncEnd = (ctx) => {
          const state = this.#metricsState.get(ctx);
          if (!state)
            return;
          this.#metricsState.delete(ctx);
          this.#instruments.dbClientOperationDuration.record((performance.now() - state.startTime) / 1e3, {
            ...this.#options.attributes,
            [types_1.OTEL_ATTRIBUTES.dbNamespace]: state.clientAttributes?.db?.toString(),
            [types_1.OTEL_ATTRIBUTES.serverAddress]: state.clientAttributes?.host,
            [types_1.OTEL_ATTRIBUTES.serverPort]: state.clientAttributes?.port?.toString(),
            [types_1.OTEL_ATTRIBUTES.dbOperationName]: state.commandName
          });
        };
        const onError = (ctx) => {
          const state = this.#metricsState.get(ctx);
          if (!state)
            return;
          this.#metricsState.delete(ctx);
          const errorInfo = (0, utils_1.getErrorInfo)(ctx.error);
          this.#instruments.dbClientOperationDuration.record((performance.now() - state.startTime) / 1e3, {
            ...this.#options.attributes,
            [types_1.OTEL_ATTRIBUTES.dbNamespace]: state.clientAttributes?.db?.toString(),
            [types_1.OTEL_ATTRIBUTES.serverAddress]: state.clientAttributes?.host,
            [types_1.OTEL_ATTRIBUTES.serverPort]: state.clientAttributes?.port?.toString(),
            [types_1.OTEL_ATTRIBUTES.dbOperationName]: state.commandName,
            [types_1.OTEL_ATTRIBUTES.errorType]: errorInfo.errorType,
            [types_1.OTEL_ATTRIBUTES.redisClientErrorsCategory]: errorInfo.category,
            ...errorInfo.statusCode !== void 0 ? { [types_1.OTEL_ATTRIBUTES.dbResponseStatusCode]: errorInfo.statusCode } : {}
          });
        };
        const onBatchStart = (ctx) => {
          this.#metricsState.set(ctx, {
            startTime: performance.now(),
            clientAttributes: resolveClientAttributes(ctx.clientId),
            commandName: ctx.batchMode
          });
        };
        const onBatchAsyncEnd = (ctx) => {
          const state = this.#metricsState.get(ctx);
          if (!state)
            return;
          this.#metricsState.delete(ctx);
          this.#instruments.dbClientOperationDuration.record((performance.now() - state.startTime) / 1e3, {
            ...this.#options.attributes,
            [types_1.OTEL_ATTRIBUTES.dbNamespace]: state.clientAttributes?.db?.toString(),
            [types_1.OTEL_ATTRIBUTES.serverAddress]: state.clientAttributes?.host,
            [types_1.OTEL_ATTRIBUTES.serverPort]: state.clientAttributes?.port?.toString(),
            [types_1.OTEL_ATTRIBUTES.dbOperationName]: state.commandName
          });
        };
        const onBatchError = (ctx) => {
          const state = this.#metricsState.get(ctx);
          if (!state)
            return;
          this.#metricsState.delete(ctx);
          const errorInfo = (0, utils_1.getErrorInfo)(ctx.error);
          this.#instruments.dbClientOperationDuration.record((performance.now() - state.startTime) / 1e3, {
            ...this.#options.attributes,
            [types_1.OTEL_ATTRIBUTES.dbNamespace]: state.clientAttributes?.db?.toString(),
            [types_1.OTEL_ATTRIBUTES.serverAddress]: state.clientAttributes?.host,
            [types_1.OTEL_ATTRIBUTES.serverPort]: state.clientAttributes?.port?.toString(),
            [types_1.OTEL_ATTRIBUTES.dbOperationName]: state.commandName,
            [types_1.OTEL_ATTRIBUTES.errorType]: errorInfo.errorType,
            [types_1.OTEL_ATTRIBUTES.redisClientErrorsCategory]: errorInfo.category,
            ...errorInfo.statusCode !== void 0 ? { [types_1.OTEL_ATTRIBUTES.dbResponseStatusCode]: errorInfo.statusCode } : {}
          });
        };
        this.#unsubscribers.push(subscribeCommandTC(commandTC, { start: onStart, asyncEnd: onAsyncEnd, error: onError }), subscribeBatchTC(batchTC, { start: onBatchStart, asyncEnd: onBatchAsyncEnd, error: onBatchError }));
      }
      destroy() {
        this.#unsubscribers.forEach((fn) => fn());
      }
      #isCommandExcluded(commandName) {
        return this.#options.hasIncludeCommands && !this.#options.includeCommands[commandName] || this.#options.excludeCommands[commandName];
      }
    };
    var OTelChannelSubscribers = class {
      #instruments;
      #options;
      #unsubscribers = [];
      constructor(options, instruments, enabledGroups) {
        this.#options = options;
        this.#instruments = instruments;
        const hasBasic = enabledGroups.includes(types_1.METRIC_GROUP.CONNECTION_BASIC);
        const hasAdvanced = enabledGroups.includes(types_1.METRIC_GROUP.CONNECTION_ADVANCED);
        if (hasBasic) {
          this.#subscribeConnectionBasic();
        }
        if (hasAdvanced) {
          this.#subscribeConnectionAdvanced();
        }
        if (hasAdvanced) {
          this.#subscribeConnectionClosed();
        }
        if (enabledGroups.includes(types_1.METRIC_GROUP.RESILIENCY)) {
          this.#subscribeResiliency();
        }
        if (enabledGroups.includes(types_1.METRIC_GROUP.CLIENT_SIDE_CACHING)) {
          this.#subscribeClientSideCache();
        }
        if (enabledGroups.includes(types_1.METRIC_GROUP.PUBSUB)) {
          this.#subscribePubSub();
        }
        if (enabledGroups.includes(types_1.METRIC_GROUP.PUBSUB) || enabledGroups.includes(types_1.METRIC_GROUP.STREAMING)) {
          this.#subscribeCommandReply(enabledGroups);
        }
      }
      #sub(name, handler) {
        const ch = (0, tracing_1.getChannel)(name);
        if (!ch)
          return;
        ch.subscribe(handler);
        this.#unsubscribers.push(() => ch.unsubscribe(handler));
      }
      destroy() {
        this.#unsubscribers.forEach((fn) => fn());
      }
      // -- Connection Basic --
      #subscribeConnectionBasic() {
        this.#sub(tracing_1.CHANNELS.CONNECTION_READY, (ctx) => {
          const clientAttributes = resolveClientAttributes(ctx.clientId);
          this.#instruments.dbClientConnectionCreateTime.record(ctx.createTimeMs / 1e3, {
            ...this.#options.attributes,
            ...(0, utils_1.parseClientAttributes)(clientAttributes)
          });
        });
        this.#sub(tracing_1.CHANNELS.CONNECTION_RELAXED_TIMEOUT, (ctx) => {
          const clientAttributes = resolveClientAttributes(ctx.clientId);
          this.#instruments.redisClientConnectionRelaxedTimeout.add(ctx.value, {
            ...this.#options.attributes,
            ...(0, utils_1.parseClientAttributes)(clientAttributes)
          });
        });
        this.#sub(tracing_1.CHANNELS.CONNECTION_HANDOFF, (ctx) => {
          const clientAttributes = resolveClientAttributes(ctx.clientId);
          this.#instruments.redisClientConnectionHandoff.add(1, {
            ...this.#options.attributes,
            ...(0, utils_1.parseClientAttributes)(clientAttributes)
          });
        });
      }
      // -- Connection Closed (advanced) --
      #subscribeConnectionClosed() {
        this.#sub(tracing_1.CHANNELS.CONNECTION_CLOSED, (ctx) => {
          const clientAttributes = resolveClientAttributes(ctx.clientId);
          this.#instruments.redisClientConnectionClosed.add(1, {
            ...this.#options.attributes,
            ...(0, utils_1.parseClientAttributes)(clientAttributes),
            [types_1.OTEL_ATTRIBUTES.redisClientConnectionCloseReason]: ctx.reason
          });
        });
      }
      // -- Connection Advanced --
      #subscribeConnectionAdvanced() {
        this.#sub(tracing_1.CHANNELS.POOL_CONNECTION_WAIT, (ctx) => {
          if (!ctx.waitStartTimestamp)
            return;
          const clientAttributes = resolveClientAttributes(ctx.clientId);
          this.#instruments.dbClientConnectionWaitTime.record((performance.now() - ctx.waitStartTimestamp) / 1e3, {
            ...this.#options.attributes,
            ...(0, utils_1.parseClientAttributes)(clientAttributes)
          });
        });
      }
      #recordError(error, clientId, extra) {
        const clientAttributes = resolveClientAttributes(clientId);
        const errorInfo = (0, utils_1.getErrorInfo)(error);
        this.#instruments.redisClientErrors.add(1, {
          ...this.#options.attributes,
          ...(0, utils_1.parseClientAttributes)(clientAttributes),
          [types_1.OTEL_ATTRIBUTES.errorType]: errorInfo.errorType,
          [types_1.OTEL_ATTRIBUTES.redisClientErrorsCategory]: errorInfo.category,
          ...errorInfo.statusCode !== void 0 && {
            [types_1.OTEL_ATTRIBUTES.dbResponseStatusCode]: errorInfo.statusCode
          },
          ...extra
        });
      }
      // -- Resiliency --
      #subscribeResiliency() {
        this.#sub(tracing_1.CHANNELS.ERROR, (ctx) => {
          if (ctx.origin === "client" && (0, utils_1.isRedirectionError)((0, utils_1.getErrorInfo)(ctx.error).statusCode))
            return;
          this.#recordError(ctx.error, ctx.clientId, {
            [types_1.OTEL_ATTRIBUTES.redisClientErrorsInternal]: ctx.internal,
            ...ctx.retryCount !== void 0 && {
              [types_1.OTEL_ATTRIBUTES.redisClientOperationRetryAttempts]: ctx.retryCount
            }
          });
        });
        const commandTC = (0, tracing_1.getTracingChannel)(tracing_1.CHANNELS.TRACE_COMMAND);
        if (commandTC) {
          const onError = (ctx) => {
            if ((0, utils_1.isRedirectionError)((0, utils_1.getErrorInfo)(ctx.error).statusCode))
              return;
            this.#recordError(ctx.error, ctx.clientId, {
              [types_1.OTEL_ATTRIBUTES.redisClientErrorsInternal]: false
            });
          };
          this.#unsubscribers.push(subscribeCommandTC(commandTC, { error: onError }));
        }
        this.#sub(tracing_1.CHANNELS.MAINTENANCE, (ctx) => {
          const clientAttributes = resolveClientAttributes(ctx.clientId);
          this.#instruments.redisClientMaintenanceNotifications.add(1, {
            ...this.#options.attributes,
            ...(0, utils_1.parseClientAttributes)(clientAttributes),
            [types_1.OTEL_ATTRIBUTES.redisClientConnectionNotification]: ctx.notification
          });
        });
      }
      // -- Client-Side Cache --
      #subscribeClientSideCache() {
        this.#sub(tracing_1.CHANNELS.CACHE_REQUEST, (ctx) => {
          const clientAttributes = resolveClientAttributes(ctx.clientId);
          this.#instruments.redisClientCscRequests.add(1, {
            ...this.#options.attributes,
            [types_1.OTEL_ATTRIBUTES.serverAddress]: clientAttributes?.host,
            [types_1.OTEL_ATTRIBUTES.serverPort]: clientAttributes?.port?.toString(),
            [types_1.OTEL_ATTRIBUTES.dbClientConnectionPoolName]: clientAttributes?.clientId,
            [types_1.OTEL_ATTRIBUTES.redisClientCscResult]: ctx.result
          });
        });
        this.#sub(tracing_1.CHANNELS.CACHE_EVICTION, (ctx) => {
          const clientAttributes = resolveClientAttributes(ctx.clientId);
          this.#instruments.redisClientCscEvictions.add(ctx.count ?? 1, {
            ...this.#options.attributes,
            [types_1.OTEL_ATTRIBUTES.serverAddress]: clientAttributes?.host,
            [types_1.OTEL_ATTRIBUTES.serverPort]: clientAttributes?.port?.toString(),
            [types_1.OTEL_ATTRIBUTES.dbClientConnectionPoolName]: clientAttributes?.clientId,
            [types_1.OTEL_ATTRIBUTES.redisClientCscReason]: ctx.reason
          });
        });
      }
      // -- PubSub --
      #subscribePubSub() {
        this.#sub(tracing_1.CHANNELS.PUBSUB, (ctx) => {
          const clientAttributes = resolveClientAttributes(ctx.clientId);
          this.#instruments.redisClientPubsubMessages.add(1, {
            ...this.#options.attributes,
            ...(0, utils_1.parseClientAttributes)(clientAttributes),
            [types_1.OTEL_ATTRIBUTES.redisClientPubSubMessageDirection]: ctx.direction,
            [types_1.OTEL_ATTRIBUTES.redisClientPubSubSharded]: ctx.sharded ?? false,
            ...ctx.channel != null && !this.#options.hidePubSubChannelNames ? { [types_1.OTEL_ATTRIBUTES.redisClientPubSubChannel]: ctx.channel.toString() } : {}
          });
        });
      }
      // -- Command Reply (shared by PubSub out + Streaming) --
      #subscribeCommandReply(enabledGroups) {
        const hasPubSub = enabledGroups.includes(types_1.METRIC_GROUP.PUBSUB);
        const hasStreaming = enabledGroups.includes(types_1.METRIC_GROUP.STREAMING);
        this.#sub(tracing_1.CHANNELS.COMMAND_REPLY, (ctx) => {
          const commandName = ctx.args[0]?.toString().toUpperCase();
          if (hasPubSub && (commandName === "PUBLISH" || commandName === "SPUBLISH")) {
            const clientAttributes = resolveClientAttributes(ctx.clientId);
            this.#instruments.redisClientPubsubMessages.add(1, {
              ...this.#options.attributes,
              ...(0, utils_1.parseClientAttributes)(clientAttributes),
              [types_1.OTEL_ATTRIBUTES.redisClientPubSubMessageDirection]: "out",
              [types_1.OTEL_ATTRIBUTES.redisClientPubSubSharded]: commandName === "SPUBLISH",
              ...ctx.args[1] != null && !this.#options.hidePubSubChannelNames ? { [types_1.OTEL_ATTRIBUTES.redisClientPubSubChannel]: ctx.args[1].toString() } : {}
            });
            return;
          }
          if (hasStreaming && (commandName === "XREAD" || commandName === "XREADGROUP")) {
            const reply = ctx.reply;
            if (!reply || !Array.isArray(reply) || reply.length === 0)
              return;
            const now = Date.now();
            const clientAttributes = resolveClientAttributes(ctx.clientId);
            const isXReadGroup = commandName === "XREADGROUP" && ctx.args[1]?.toString().toUpperCase() === "GROUP";
            const consumerGroup = isXReadGroup ? ctx.args[2]?.toString() : void 0;
            for (const streamData of reply) {
              if (!streamData || typeof streamData !== "object")
                continue;
              const { name: stream, messages } = streamData;
              if (!messages || !Array.isArray(messages) || messages.length === 0)
                continue;
              const streamAttributes = {
                ...this.#options.attributes,
                ...(0, utils_1.parseClientAttributes)(clientAttributes),
                ...!this.#options.hideStreamNames ? { [types_1.OTEL_ATTRIBUTES.redisClientStreamName]: stream } : {},
                ...consumerGroup !== void 0 ? { [types_1.OTEL_ATTRIBUTES.redisClientConsumerGroup]: consumerGroup } : {}
              };
              for (const message of messages) {
                if (!message?.id)
                  continue;
                const [tsPart] = message.id.split("-");
                const messageTimestamp = Number.parseInt(tsPart, 10);
                if (!Number.isFinite(messageTimestamp))
                  continue;
                this.#instruments.redisClientStreamLag.record((now - messageTimestamp) / 1e3, streamAttributes);
              }
            }
          }
        });
      }
    };
    var OTelMetrics = class _OTelMetrics {
      // Create a noop instance by default
      static #instance;
      static #initialized = false;
      commandMetrics;
      #channelSubscribers;
      #instruments;
      #options;
      constructor(api, config) {
        this.#options = this.parseOptions(config);
        if (!this.#options.enabled) {
          this.commandMetrics = { destroy() {
          } };
          this.#channelSubscribers = { destroy() {
          } };
          this.#instruments = void 0;
          return;
        }
        const meter = this.#getMeter(api, this.#options);
        this.#instruments = this.registerInstruments(meter, this.#options);
        if (this.#options.enabledMetricGroups.includes(types_1.METRIC_GROUP.COMMAND)) {
          this.commandMetrics = new OTelCommandMetrics(this.#options, this.#instruments);
        } else {
          this.commandMetrics = { destroy() {
          } };
        }
        this.#channelSubscribers = new OTelChannelSubscribers(this.#options, this.#instruments, this.#options.enabledMetricGroups);
      }
      static init({ api, config }) {
        if (_OTelMetrics.#initialized) {
          throw new errors_1.OpenTelemetryError("OTelMetrics already initialized");
        }
        const instance = new _OTelMetrics(api, config);
        _OTelMetrics.#instance = instance;
        _OTelMetrics.#initialized = true;
      }
      /**
       * Reset the instance to noop. Used for testing.
       *
       * @internal
       */
      static reset() {
        if (!_OTelMetrics.#initialized)
          return;
        _OTelMetrics.#instance.commandMetrics.destroy();
        _OTelMetrics.#instance.#channelSubscribers.destroy();
        _OTelMetrics.#initialized = false;
      }
      static isInitialized() {
        return _OTelMetrics.#initialized;
      }
      static get instance() {
        return _OTelMetrics.#instance;
      }
      #getMeter(api, options) {
        if (options.meterProvider) {
          return options.meterProvider.getMeter(types_1.INSTRUMENTATION_SCOPE_NAME);
        }
        return api.metrics.getMeter(types_1.INSTRUMENTATION_SCOPE_NAME);
      }
      parseOptions(config) {
        return {
          enabled: !!config?.metrics?.enabled,
          attributes: {
            ...types_1.DEFAULT_OTEL_ATTRIBUTES
          },
          meterProvider: config?.metrics?.meterProvider,
          includeCommands: (config?.metrics?.includeCommands ?? []).reduce((acc, c) => {
            acc[c.toUpperCase()] = true;
            return acc;
          }, {}),
          hasIncludeCommands: !!config?.metrics?.includeCommands?.length,
          excludeCommands: (config?.metrics?.excludeCommands ?? []).reduce((acc, c) => {
            acc[c.toUpperCase()] = true;
            return acc;
          }, {}),
          hasExcludeCommands: !!config?.metrics?.excludeCommands?.length,
          enabledMetricGroups: config?.metrics?.enabledMetricGroups ?? types_1.DEFAULT_METRIC_GROUPS,
          hidePubSubChannelNames: config?.metrics?.hidePubSubChannelNames ?? false,
          hideStreamNames: config?.metrics?.hideStreamNames ?? false,
          bucketsOperationDuration: config?.metrics?.bucketsOperationDuration ?? types_1.DEFAULT_HISTOGRAM_BUCKETS.OPERATION_DURATION,
          bucketsConnectionCreateTime: config?.metrics?.bucketsConnectionCreateTime ?? types_1.DEFAULT_HISTOGRAM_BUCKETS.CONNECTION_CREATE_TIME,
          bucketsConnectionWaitTime: config?.metrics?.bucketsConnectionWaitTime ?? types_1.DEFAULT_HISTOGRAM_BUCKETS.CONNECTION_WAIT_TIME,
          bucketsStreamProcessingDuration: config?.metrics?.bucketsStreamProcessingDuration ?? types_1.DEFAULT_HISTOGRAM_BUCKETS.STREAM_LAG
        };
      }
      createHistogram(meter, instrumentConfig) {
        return meter.createHistogram(instrumentConfig.name, {
          unit: instrumentConfig.unit,
          description: instrumentConfig.description,
          ...instrumentConfig?.histogramBoundaries?.length ? {
            advice: {
              explicitBucketBoundaries: instrumentConfig.histogramBoundaries
            }
          } : {}
        });
      }
      createCounter(meter, instrumentConfig) {
        return meter.createCounter(instrumentConfig.name, {
          unit: instrumentConfig.unit,
          description: instrumentConfig.description
        });
      }
      createUpDownCounter(meter, instrumentConfig) {
        return meter.createUpDownCounter(instrumentConfig.name, {
          unit: instrumentConfig.unit,
          description: instrumentConfig.description
        });
      }
      createObservableGaugeWithCallback(meter, instrumentConfig, options, callback) {
        const gauge = meter.createObservableGauge(instrumentConfig.name, {
          unit: instrumentConfig.unit,
          description: instrumentConfig.description
        });
        if (options.enabledMetricGroups.includes(instrumentConfig.metricGroup)) {
          meter.addBatchObservableCallback((observableResult) => callback(observableResult, options), [gauge]);
        }
        return gauge;
      }
      registerInstruments(meter, options) {
        return {
          // Command
          dbClientOperationDuration: this.createHistogram(meter, {
            name: types_1.METRIC_NAMES.dbClientOperationDuration,
            unit: "s",
            description: "Duration of a Redis client operation (includes retries)",
            metricGroup: types_1.METRIC_GROUP.COMMAND,
            histogramBoundaries: options.bucketsOperationDuration
          }),
          // Basic connection
          redisClientConnectionCount: this.createObservableGaugeWithCallback(meter, {
            name: types_1.METRIC_NAMES.redisClientConnectionCount,
            unit: "{connection}",
            description: "Current number of active connections",
            metricGroup: types_1.METRIC_GROUP.CONNECTION_BASIC
          }, options, (observableResult, opts) => {
            for (const handle of client_registry_1.ClientRegistry.instance.getAll()) {
              if (handle.isConnected()) {
                observableResult.observe(this.#instruments.redisClientConnectionCount, 1, {
                  ...opts.attributes,
                  ...(0, utils_1.parseClientAttributes)(handle.getAttributes())
                });
              }
            }
          }),
          dbClientConnectionCreateTime: this.createHistogram(meter, {
            name: types_1.METRIC_NAMES.dbClientConnectionCreateTime,
            unit: "s",
            description: "Time taken to create a new connection to the Redis server",
            metricGroup: types_1.METRIC_GROUP.CONNECTION_BASIC,
            histogramBoundaries: options.bucketsConnectionCreateTime
          }),
          redisClientConnectionRelaxedTimeout: this.createUpDownCounter(meter, {
            name: types_1.METRIC_NAMES.redisClientConnectionRelaxedTimeout,
            unit: "{relaxation}",
            description: `How many times the connection timeout has been increased/decreased (after a server maintenance notification).
           Counts up for relaxed timeout, counts down for unrelaxed timeout`,
            metricGroup: types_1.METRIC_GROUP.CONNECTION_BASIC
          }),
          redisClientConnectionHandoff: this.createCounter(meter, {
            name: types_1.METRIC_NAMES.redisClientConnectionHandoff,
            unit: "{handoff}",
            description: "Connections that have been handed off to another node (e.g after a MOVING notification)",
            metricGroup: types_1.METRIC_GROUP.CONNECTION_BASIC
          }),
          // Advanced connection
          dbClientConnectionWaitTime: this.createHistogram(meter, {
            name: types_1.METRIC_NAMES.dbClientConnectionWaitTime,
            unit: "s",
            description: "Time spent waiting for an available connection from the pool",
            metricGroup: types_1.METRIC_GROUP.CONNECTION_ADVANCED,
            histogramBoundaries: options.bucketsConnectionWaitTime
          }),
          // The DB semconv models pending requests as an UpDownCounter on pooled
          // connections. That does not map cleanly to node-redis today, so we keep
          // this disabled for now and may reintroduce it later as an async gauge
          // with a client-specific name.
          // See: https://opentelemetry.io/docs/specs/semconv/db/database-metrics/#connection-pools
          // db.client.connection.pending_requests: disabled until naming/behavior is settled.
          redisClientConnectionClosed: this.createCounter(meter, {
            name: types_1.METRIC_NAMES.redisClientConnectionClosed,
            unit: "{connection}",
            description: "Total number of closed connections",
            metricGroup: types_1.METRIC_GROUP.CONNECTION_ADVANCED
          }),
          // Resiliency
          redisClientErrors: this.createCounter(meter, {
            name: types_1.METRIC_NAMES.redisClientErrors,
            unit: "{error}",
            description: "A counter of all errors (both returned and handled internally)",
            metricGroup: types_1.METRIC_GROUP.RESILIENCY
          }),
          redisClientMaintenanceNotifications: this.createCounter(meter, {
            name: types_1.METRIC_NAMES.redisClientMaintenanceNotifications,
            unit: "{notification}",
            description: "Number of maintenance notifications received",
            metricGroup: types_1.METRIC_GROUP.RESILIENCY
          }),
          // PubSub
          redisClientPubsubMessages: this.createCounter(meter, {
            name: types_1.METRIC_NAMES.redisClientPubsubMessages,
            unit: "{message}",
            description: "Number of pub/sub messages processed",
            metricGroup: types_1.METRIC_GROUP.PUBSUB
          }),
          // Streams
          redisClientStreamLag: this.createHistogram(meter, {
            name: types_1.METRIC_NAMES.redisClientStreamLag,
            unit: "s",
            description: "End-to-end lag per message",
            metricGroup: types_1.METRIC_GROUP.STREAMING,
            histogramBoundaries: options.bucketsStreamProcessingDuration
          }),
          // Client-Side Caching
          redisClientCscRequests: this.createCounter(meter, {
            name: types_1.METRIC_NAMES.redisClientCscRequests,
            unit: "{request}",
            description: "Number of client-side cache requests (hits and misses)",
            metricGroup: types_1.METRIC_GROUP.CLIENT_SIDE_CACHING
          }),
          redisClientCscItems: this.createObservableGaugeWithCallback(meter, {
            name: types_1.METRIC_NAMES.redisClientCscItems,
            unit: "{item}",
            description: "Current number of items in the client-side cache",
            metricGroup: types_1.METRIC_GROUP.CLIENT_SIDE_CACHING
          }, options, (observableResult, opts) => {
            for (const handle of client_registry_1.ClientRegistry.instance.getAll()) {
              observableResult.observe(this.#instruments.redisClientCscItems, handle.getCacheItemCount(), {
                ...opts.attributes,
                ...(0, utils_1.parseClientAttributes)(handle.getAttributes())
              });
            }
          }),
          redisClientCscEvictions: this.createCounter(meter, {
            name: types_1.METRIC_NAMES.redisClientCscEvictions,
            unit: "{eviction}",
            description: "Number of items evicted from the client-side cache",
            metricGroup: types_1.METRIC_GROUP.CLIENT_SIDE_CACHING
          })
          // redis.client.csc.network_saved: disabled until payload size is tracked at the socket layer.
        };
      }
    };
    exports.OTelMetrics = OTelMetrics;
  }
});

// optional:@opentelemetry/api
var require_api = __commonJS({
  "optional:@opentelemetry/api"() {
    throw new Error("@opentelemetry/api is not bundled");
  }
});

// dist/lib/opentelemetry/index.js
var require_opentelemetry = __commonJS({
  "dist/lib/opentelemetry/index.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.ClientRegistry = exports.OTelMetrics = exports.CSC_EVICTION_REASON = exports.CSC_RESULT = exports.CONNECTION_CLOSE_REASON = exports.OTEL_ATTRIBUTES = exports.OpenTelemetry = void 0;
    var errors_1 = require_errors();
    var client_registry_1 = require_client_registry();
    var metrics_1 = require_metrics();
    var OpenTelemetry = class _OpenTelemetry {
      static _instance = null;
      // Make sure it's a singleton
      constructor() {
      }
      /**
       * Initializes node-redis OpenTelemetry observability.
       *
       * This bootstraps node-redis metrics instrumentation and registers the
       * internal client registry used by metric collectors.
       *
       * Call this once during application startup, before creating Redis clients
       * you want to observe.
       *
       * @param config - Observability configuration.
       *
       * @remarks Requires Node.js >= 18.19.0.
       *
       * @throws {OpenTelemetryError} If OpenTelemetry is already initialized.
       * @throws {OpenTelemetryError} If `@opentelemetry/api` is not installed.
       *
       * @example
       * ```ts
       * import { metrics } from "@opentelemetry/api";
       * import {
       *   ConsoleMetricExporter,
       *   MeterProvider,
       *   PeriodicExportingMetricReader
       * } from "@opentelemetry/sdk-metrics";
       * import { OpenTelemetry } from "redis";
       *
       * const reader = new PeriodicExportingMetricReader({
       *   exporter: new ConsoleMetricExporter()
       * });
       *
       * const provider = new MeterProvider({ readers: [reader] });
       * metrics.setGlobalMeterProvider(provider);
       *
       * OpenTelemetry.init({
       *   metrics: {
       *     enabled: true,
       *     enabledMetricGroups: ["pubsub", "connection-basic", "resiliency"],
       *     includeCommands: ["GET", "SET"],
       *     hidePubSubChannelNames: true
       *   }
       * });
       * ```
       */
      static init(config) {
        if (_OpenTelemetry._instance) {
          throw new errors_1.OpenTelemetryError("OpenTelemetry already initialized");
        }
        const api = (() => {
          try {
            return require_api();
          } catch {
            throw new errors_1.OpenTelemetryError("@opentelemetry/api not found");
          }
        })();
        _OpenTelemetry._instance = new _OpenTelemetry();
        client_registry_1.ClientRegistry.init();
        metrics_1.OTelMetrics.init({ api, config });
      }
    };
    exports.OpenTelemetry = OpenTelemetry;
    var types_1 = require_types3();
    Object.defineProperty(exports, "OTEL_ATTRIBUTES", { enumerable: true, get: function() {
      return types_1.OTEL_ATTRIBUTES;
    } });
    Object.defineProperty(exports, "CONNECTION_CLOSE_REASON", { enumerable: true, get: function() {
      return types_1.CONNECTION_CLOSE_REASON;
    } });
    Object.defineProperty(exports, "CSC_RESULT", { enumerable: true, get: function() {
      return types_1.CSC_RESULT;
    } });
    Object.defineProperty(exports, "CSC_EVICTION_REASON", { enumerable: true, get: function() {
      return types_1.CSC_EVICTION_REASON;
    } });
    var metrics_2 = require_metrics();
    Object.defineProperty(exports, "OTelMetrics", { enumerable: true, get: function() {
      return metrics_2.OTelMetrics;
    } });
    var client_registry_2 = require_client_registry();
    Object.defineProperty(exports, "ClientRegistry", { enumerable: true, get: function() {
      return client_registry_2.ClientRegistry;
    } });
  }
});

// dist/lib/commands/HIMPORT_DISCARD.js
var require_HIMPORT_DISCARD = __commonJS({
  "dist/lib/commands/HIMPORT_DISCARD.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {
      parseCommand(parser, fieldset) {
        parser.push("HIMPORT", "DISCARD", fieldset);
      },
      transformReply: void 0
    };
  }
});

// dist/lib/commands/HIMPORT_DISCARDALL.js
var require_HIMPORT_DISCARDALL = __commonJS({
  "dist/lib/commands/HIMPORT_DISCARDALL.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {
      parseCommand(parser) {
        parser.push("HIMPORT", "DISCARDALL");
      },
      transformReply: void 0
    };
  }
});

// dist/lib/commands/HIMPORT_PREPARE.js
var require_HIMPORT_PREPARE = __commonJS({
  "dist/lib/commands/HIMPORT_PREPARE.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {
      parseCommand(parser, fieldset, fields) {
        parser.push("HIMPORT", "PREPARE", fieldset);
        parser.pushVariadic(fields);
      },
      transformReply: void 0
    };
  }
});

// dist/lib/commands/HIMPORT_SET.js
var require_HIMPORT_SET = __commonJS({
  "dist/lib/commands/HIMPORT_SET.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {
      parseCommand(parser, key, fieldset, values) {
        parser.push("HIMPORT", "SET");
        parser.pushKey(key);
        parser.push(fieldset);
        parser.pushVariadic(values);
      },
      transformReply: void 0
    };
  }
});

// dist/lib/commands/ASKING.js
var require_ASKING = __commonJS({
  "dist/lib/commands/ASKING.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.ASKING_CMD = void 0;
    exports.ASKING_CMD = "ASKING";
    exports.default = {
      IS_READ_ONLY: true,
      parseCommand(parser) {
        parser.push(exports.ASKING_CMD);
      },
      transformReply: void 0
    };
  }
});

// dist/lib/client/index.js
var require_client = __commonJS({
  "dist/lib/client/index.js"(exports) {
    "use strict";
    var __createBinding = exports && exports.__createBinding || (Object.create ? (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      var desc = Object.getOwnPropertyDescriptor(m, k);
      if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
        desc = { enumerable: true, get: function() {
          return m[k];
        } };
      }
      Object.defineProperty(o, k2, desc);
    }) : (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      o[k2] = m[k];
    }));
    var __setModuleDefault = exports && exports.__setModuleDefault || (Object.create ? (function(o, v) {
      Object.defineProperty(o, "default", { enumerable: true, value: v });
    }) : function(o, v) {
      o["default"] = v;
    });
    var __importStar = exports && exports.__importStar || function(mod) {
      if (mod && mod.__esModule) return mod;
      var result = {};
      if (mod != null) {
        for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
      }
      __setModuleDefault(result, mod);
      return result;
    };
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    var _a;
    Object.defineProperty(exports, "__esModule", { value: true });
    var commands_1 = __importDefault(require_commands());
    var socket_1 = __importDefault(require_socket());
    var authx_1 = require_authx();
    var commands_queue_1 = __importDefault(require_commands_queue());
    var node_events_1 = __require("node:events");
    var commander_1 = require_commander();
    var command_metadata_1 = require_command_metadata();
    var errors_1 = require_errors();
    var node_url_1 = __require("node:url");
    var pub_sub_1 = require_pub_sub();
    var types_1 = require_types();
    var multi_command_1 = __importDefault(require_multi_command2());
    var HELLO_1 = __importDefault(require_HELLO());
    var legacy_mode_1 = require_legacy_mode();
    var pool_1 = require_pool();
    var generic_transformers_1 = require_generic_transformers();
    var cache_1 = require_cache();
    var parser_1 = require_parser();
    var single_entry_cache_1 = __importDefault(require_single_entry_cache());
    var package_json_1 = require_package();
    var enterprise_maintenance_manager_1 = __importStar(require_enterprise_maintenance_manager());
    var opentelemetry_1 = require_opentelemetry();
    var identity_1 = require_identity();
    var tracing_1 = require_tracing();
    var defaults_1 = require_defaults();
    var registry_1 = require_registry();
    var HIMPORT_DISCARD_1 = __importDefault(require_HIMPORT_DISCARD());
    var HIMPORT_DISCARDALL_1 = __importDefault(require_HIMPORT_DISCARDALL());
    var HIMPORT_PREPARE_1 = __importDefault(require_HIMPORT_PREPARE());
    var HIMPORT_SET_1 = __importDefault(require_HIMPORT_SET());
    var ASKING_1 = require_ASKING();
    var noop = () => {
    };
    var HIMPORT_SESSION_SUBCOMMANDS = /* @__PURE__ */ new Set(["PREPARE", "DISCARD", "DISCARDALL"]);
    function assertNoHimportSessionCommands(commands) {
      for (const { args } of commands) {
        if (String(args[0]).toUpperCase() !== "HIMPORT")
          continue;
        if (HIMPORT_SESSION_SUBCOMMANDS.has(String(args[1]).toUpperCase())) {
          throw new Error("HIMPORT PREPARE/DISCARD/DISCARDALL are not supported inside MULTI/pipeline; call them on the client before the transaction");
        }
      }
    }
    function isPreEnqueueError(err) {
      return err instanceof errors_1.ClientClosedError || err instanceof errors_1.ClientOfflineError || err instanceof errors_1.AbortError || err instanceof Error && err.message === "The queue is full";
    }
    var RedisClient = class extends node_events_1.EventEmitter {
      static #createCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          command.parseCommand(parser, ...args);
          return this._self._executeCommand(command, parser, this._commandOptions, transformReply);
        };
      }
      static #createModuleCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          command.parseCommand(parser, ...args);
          return this._self._executeCommand(command, parser, this._self._commandOptions, transformReply);
        };
      }
      static #createFunctionCommand(name, fn, resp) {
        const prefix = (0, commander_1.functionArgumentsPrefix)(name, fn);
        const transformReply = (0, commander_1.getTransformReply)(fn, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          parser.push(...prefix);
          fn.parseCommand(parser, ...args);
          return this._self._executeCommand(fn, parser, this._self._commandOptions, transformReply);
        };
      }
      static #createScriptCommand(script, resp) {
        const prefix = (0, commander_1.scriptArgumentsPrefix)(script);
        const transformReply = (0, commander_1.getTransformReply)(script, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          parser.push(...prefix);
          script.parseCommand(parser, ...args);
          return this._executeScript(script, parser, this._commandOptions, transformReply);
        };
      }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      static #SingleEntryCache = new single_entry_cache_1.default();
      static factory(config) {
        let Client = _a.#SingleEntryCache.get(config);
        if (!Client) {
          Client = (0, commander_1.attachConfig)({
            BaseClass: _a,
            commands: commands_1.default,
            createCommand: _a.#createCommand,
            createModuleCommand: _a.#createModuleCommand,
            createFunctionCommand: _a.#createFunctionCommand,
            createScriptCommand: _a.#createScriptCommand,
            config
          });
          Client.prototype.Multi = multi_command_1.default.extend(config);
          _a.#SingleEntryCache.set(config, Client);
        }
        return (options) => {
          return Object.create(new Client(options));
        };
      }
      static create(options) {
        return _a.factory(options)(options);
      }
      static parseOptions(options) {
        if (options?.url) {
          const parsed = _a.parseURL(options.url);
          if (options.socket) {
            if (options.socket.tls !== void 0 && options.socket.tls !== parsed.socket.tls) {
              throw new TypeError(`tls socket option is set to ${options.socket.tls} which is mismatch with protocol or the URL ${options.url} passed`);
            }
            parsed.socket = Object.assign(options.socket, parsed.socket);
          }
          Object.assign(options, parsed);
        }
        return options;
      }
      static parseURL(url) {
        if (url.startsWith("unix:")) {
          return _a.#parseUnixURL(url);
        }
        const { hostname, port, protocol, username, password, pathname } = new node_url_1.URL(url), parsed = {
          socket: {
            // Use net.SocketAddress.parse() once supported.
            host: hostname.replace(/^\[([0-9a-f:]+)\]$/, "$1"),
            tls: false
          }
        };
        if (protocol !== "redis:" && protocol !== "rediss:") {
          throw new TypeError(`Protocol - ${protocol} - is not a valid Redis protocol. Expected redis: or rediss:`);
        }
        parsed.socket.tls = protocol === "rediss:";
        if (port) {
          parsed.socket.port = Number(port);
        }
        if (username) {
          parsed.username = decodeURIComponent(username);
        }
        if (password) {
          parsed.password = decodeURIComponent(password);
        }
        if (username || password) {
          parsed.credentialsProvider = {
            type: "async-credentials-provider",
            credentials: async () => ({
              username: username ? decodeURIComponent(username) : void 0,
              password: password ? decodeURIComponent(password) : void 0
            })
          };
        }
        if (pathname.length > 1) {
          const database = Number(pathname.substring(1));
          if (isNaN(database)) {
            throw new TypeError("Invalid pathname");
          }
          parsed.database = database;
        }
        return parsed;
      }
      static #parseUnixURL(url) {
        const match = /^unix:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\/[^?#]*)(?:\?([^#]*))?(?:#.*)?$/.exec(url);
        if (!match || match[3] === "/") {
          throw new TypeError("Invalid unix URL");
        }
        const [, username, password, rawPath, rawQuery] = match, parsed = {
          socket: {
            path: decodeURIComponent(rawPath),
            tls: false
          }
        };
        if (username) {
          parsed.username = decodeURIComponent(username);
        }
        if (password) {
          parsed.password = decodeURIComponent(password);
        }
        if (username || password) {
          parsed.credentialsProvider = {
            type: "async-credentials-provider",
            credentials: async () => ({
              username: username ? decodeURIComponent(username) : void 0,
              password: password ? decodeURIComponent(password) : void 0
            })
          };
        }
        if (rawQuery) {
          const db = new URLSearchParams(rawQuery).get("db");
          if (db !== null) {
            const database = Number(db);
            if (isNaN(database)) {
              throw new TypeError("Invalid db query parameter");
            }
            parsed.database = database;
          }
        }
        return parsed;
      }
      #options;
      #socket;
      #queue;
      #selectedDB = 0;
      #monitorCallback;
      _self = this;
      _commandOptions;
      // flag used to annotate that the client
      // was in a watch transaction when
      // a topology change occurred
      #dirtyWatch;
      #watchEpoch;
      #clientSideCache;
      // What the user registered on the logical client (shared across pooled/cluster/sentinel
      // clients via the himportRegistry option) vs. what THIS socket's server session holds.
      #himportRegistry;
      #preparedFieldsets = new registry_1.PreparedFieldsets();
      #credentialsSubscription = null;
      // Flag used to pause writing to the socket during maintenance windows.
      // When true, prevents new commands from being written while waiting for:
      // 1. New socket to be ready after maintenance redirect
      // 2. In-flight commands on the old socket to complete
      #paused = false;
      #clientIdentity;
      #registered = false;
      get clientSideCache() {
        return this._self.#clientSideCache;
      }
      get options() {
        return this._self.#options;
      }
      /**
       * The configured key prefix (see {@link RedisClientOptions.keyPrefix}), if any.
       * @internal
       */
      get _keyPrefix() {
        return this._self.#options.keyPrefix;
      }
      /**
       * @internal
       * Returns the client ID for metrics attribution.
       */
      get _clientId() {
        return this._self.#clientIdentity.id;
      }
      /**
       * @internal
       * Sets the client identity. Used by pool/cluster/sentinel when creating child clients.
       */
      _setIdentity(role, parentId) {
        this._self.#clientIdentity.role = role;
        if (parentId) {
          this._self.#clientIdentity.parentId = parentId;
        }
      }
      /**
       * @internal
       * Creates a metrics handle for this client.
       */
      #createMetricsHandle() {
        return {
          identity: this._self.#clientIdentity,
          getAttributes: () => ({
            host: this._self.#socket.host,
            port: this._self.#socket.port,
            db: this._self.#selectedDB,
            clientId: this._self.#clientIdentity.id,
            parentId: this._self.#clientIdentity.parentId,
            isPubSub: this._self.#queue.isPubSubActive
          }),
          getPendingRequests: () => this._self.#queue.pendingCount,
          getCacheItemCount: () => this._self.#clientSideCache?.size() ?? 0,
          isConnected: () => this._self.#socket.isReady
        };
      }
      /**
       * @internal
       * Registers this client with the metrics registry.
       */
      #registerForMetrics() {
        if (this.#registered) {
          return;
        }
        opentelemetry_1.ClientRegistry.instance.register(this.#createMetricsHandle());
        this.#registered = true;
      }
      /**
       * @internal
       * Unregisters this client from the metrics registry.
       */
      #unregisterFromMetrics() {
        if (!this.#registered)
          return;
        opentelemetry_1.ClientRegistry.instance.unregister(this.#clientIdentity.id);
        this.#registered = false;
      }
      get isOpen() {
        return this._self.#socket.isOpen;
      }
      get isReady() {
        return this._self.#socket.isReady;
      }
      get isPubSubActive() {
        return this._self.#queue.isPubSubActive;
      }
      get socketEpoch() {
        return this._self.#socket.socketEpoch;
      }
      get isWatching() {
        return this._self.#watchEpoch !== void 0;
      }
      /**
       * Indicates whether the client's WATCH command has been invalidated by a topology change.
       * When this returns true, any transaction using WATCH will fail with a WatchError.
       * @returns true if the watched keys have been modified, false otherwise
       */
      get isDirtyWatch() {
        return this._self.#dirtyWatch !== void 0;
      }
      /**
       * Marks the client's WATCH command as invalidated due to a topology change.
       * This will cause any subsequent EXEC in a transaction to fail with a WatchError.
       * @param msg - The error message explaining why the WATCH is dirty
       */
      setDirtyWatch(msg) {
        this._self.#dirtyWatch = msg;
      }
      constructor(options) {
        super();
        this.#validateOptions(options);
        this.#options = this.#initiateOptions(options);
        const socketOpts = this.#options.socket;
        this.#clientIdentity = {
          id: (0, identity_1.generateClientId)(socketOpts?.host, socketOpts?.port, this.#selectedDB),
          role: identity_1.ClientRole.STANDALONE
        };
        this.#queue = this.#initiateQueue(this.#clientIdentity.id);
        this.#socket = this.#initiateSocket(this.#clientIdentity.id);
        this.#himportRegistry = this.#options.himportRegistry ?? new registry_1.FieldsetRegistry();
        this.#registerForMetrics();
        if (this.#options.maintNotifications !== "disabled") {
          new enterprise_maintenance_manager_1.default(this.#queue, this, this.#options);
        }
        ;
        if (this.#options.clientSideCache) {
          if (this.#options.clientSideCache instanceof cache_1.ClientSideCacheProvider) {
            this.#clientSideCache = this.#options.clientSideCache;
          } else {
            const cscConfig = this.#options.clientSideCache;
            this.#clientSideCache = new cache_1.BasicClientSideCache(cscConfig);
          }
          this.#queue.addPushHandler((push) => {
            if (push[0].toString() !== "invalidate")
              return false;
            if (push[1] !== null) {
              for (const key of push[1]) {
                this.#clientSideCache?.invalidate(key);
              }
            } else {
              this.#clientSideCache?.invalidate(null);
            }
            return true;
          });
        } else if (options?.emitInvalidate) {
          this.#queue.addPushHandler((push) => {
            if (push[0].toString() !== "invalidate")
              return false;
            if (push[1] !== null) {
              for (const key of push[1]) {
                this.emit("invalidate", key);
              }
            } else {
              this.emit("invalidate", null);
            }
            return true;
          });
        }
      }
      #validateOptions(options) {
        const resp = options?.RESP ?? types_1.DEFAULT_RESP;
        if (options?.clientSideCache && resp !== 3) {
          throw new Error("Client Side Caching is only supported with RESP3");
        }
        if (options?.emitInvalidate && resp !== 3) {
          throw new Error("emitInvalidate is only supported with RESP3");
        }
        if (options?.clientSideCache && options?.emitInvalidate) {
          throw new Error("emitInvalidate is not supported (or necessary) when clientSideCache is enabled");
        }
        if (options?.maintNotifications && options?.maintNotifications !== "disabled" && resp !== 3) {
          throw new Error("Graceful Maintenance is only supported with RESP3");
        }
      }
      #initiateOptions(options = {}) {
        if (!options.credentialsProvider && (options.username || options.password)) {
          options.credentialsProvider = {
            type: "async-credentials-provider",
            credentials: async () => ({
              username: options.username,
              password: options.password
            })
          };
        }
        if (options.database) {
          this._self.#selectedDB = options.database;
        }
        this._commandOptions = { timeout: defaults_1.DEFAULT_COMMAND_TIMEOUT, ...options.commandOptions };
        if (options.maintNotifications !== "disabled") {
          enterprise_maintenance_manager_1.default.setupDefaultMaintOptions(options);
        }
        if (options.url) {
          const parsedOptions = _a.parseOptions(options);
          if (parsedOptions?.database) {
            this._self.#selectedDB = parsedOptions.database;
          }
          return parsedOptions;
        }
        return options;
      }
      #initiateQueue(clientId) {
        return new commands_queue_1.default(this.#options.RESP ?? types_1.DEFAULT_RESP, this.#options.commandsQueueMaxLength, (channel, listeners) => this.emit("sharded-channel-moved", channel, listeners), clientId);
      }
      /**
       * @param credentials
       */
      reAuthenticate = async (credentials) => {
        if (!(this.isPubSubActive && (this.#options.RESP ?? types_1.DEFAULT_RESP) === 2)) {
          await this.sendCommand((0, generic_transformers_1.parseArgs)(commands_1.default.AUTH, {
            username: credentials.username,
            password: credentials.password ?? ""
          }));
        }
      };
      #subscribeForStreamingCredentials(cp) {
        return cp.subscribe({
          onNext: (credentials) => {
            this.reAuthenticate(credentials).catch((error) => {
              const errorMessage = error instanceof Error ? error.message : String(error);
              cp.onReAuthenticationError(new authx_1.CredentialsError(errorMessage));
            });
          },
          onError: (e) => {
            const errorMessage = `Error from streaming credentials provider: ${e.message}`;
            cp.onReAuthenticationError(new authx_1.UnableToObtainNewCredentialsError(errorMessage));
          }
        });
      }
      async #handshake(chainId, asap) {
        const promises = [];
        const commandsWithErrorHandlers = await this.#getHandshakeCommands();
        if (asap)
          commandsWithErrorHandlers.reverse();
        for (const { cmd, errorHandler } of commandsWithErrorHandlers) {
          promises.push(this.#queue.addCommand(cmd, {
            chainId,
            asap
          }).catch(errorHandler));
        }
        return promises;
      }
      async #getHandshakeCommands() {
        const commands = [];
        const cp = this.#options.credentialsProvider;
        const resp = this.#options.RESP ?? types_1.DEFAULT_RESP;
        if (resp !== 2) {
          const hello = {};
          if (cp && cp.type === "async-credentials-provider") {
            const credentials = await cp.credentials();
            if (credentials.password) {
              hello.AUTH = {
                username: credentials.username ?? "default",
                password: credentials.password
              };
            }
          }
          if (cp && cp.type === "streaming-credentials-provider") {
            const [credentials, disposable] = await this.#subscribeForStreamingCredentials(cp);
            this.#credentialsSubscription = disposable;
            if (credentials.password) {
              hello.AUTH = {
                username: credentials.username ?? "default",
                password: credentials.password
              };
            }
          }
          if (this.#options.name) {
            hello.SETNAME = this.#options.name;
          }
          commands.push({ cmd: (0, generic_transformers_1.parseArgs)(HELLO_1.default, resp, hello) });
        } else {
          if (cp && cp.type === "async-credentials-provider") {
            const credentials = await cp.credentials();
            if (credentials.username || credentials.password) {
              commands.push({
                cmd: (0, generic_transformers_1.parseArgs)(commands_1.default.AUTH, {
                  username: credentials.username,
                  password: credentials.password ?? ""
                })
              });
            }
          }
          if (cp && cp.type === "streaming-credentials-provider") {
            const [credentials, disposable] = await this.#subscribeForStreamingCredentials(cp);
            this.#credentialsSubscription = disposable;
            if (credentials.username || credentials.password) {
              commands.push({
                cmd: (0, generic_transformers_1.parseArgs)(commands_1.default.AUTH, {
                  username: credentials.username,
                  password: credentials.password ?? ""
                })
              });
            }
          }
          if (this.#options.name) {
            commands.push({
              cmd: (0, generic_transformers_1.parseArgs)(commands_1.default.CLIENT_SETNAME, this.#options.name)
            });
          }
        }
        if (this.#selectedDB !== 0) {
          commands.push({ cmd: ["SELECT", this.#selectedDB.toString()] });
        }
        if (this.#options.readonly) {
          commands.push({ cmd: (0, generic_transformers_1.parseArgs)(commands_1.default.READONLY) });
        }
        if (!this.#options.disableClientInfo) {
          commands.push({
            cmd: ["CLIENT", "SETINFO", "LIB-VER", package_json_1.version],
            errorHandler: () => {
            }
          });
          commands.push({
            cmd: [
              "CLIENT",
              "SETINFO",
              "LIB-NAME",
              this.#options.clientInfoTag ? `node-redis(${this.#options.clientInfoTag})` : "node-redis"
            ],
            errorHandler: () => {
            }
          });
        }
        if (this.#clientSideCache) {
          commands.push({ cmd: this.#clientSideCache.trackingOn() });
        }
        if (this.#options?.emitInvalidate) {
          commands.push({ cmd: ["CLIENT", "TRACKING", "ON"] });
        }
        const maintenanceHandshakeCmd = await enterprise_maintenance_manager_1.default.getHandshakeCommand(this.#options, this._clientId);
        if (maintenanceHandshakeCmd) {
          commands.push(maintenanceHandshakeCmd);
        }
        ;
        return commands;
      }
      #attachListeners(socket) {
        socket.on("data", (chunk) => {
          try {
            this.#queue.decoder.write(chunk);
          } catch (err) {
            this.#queue.resetDecoder();
            this.emit("error", err);
          }
        }).on("error", (err) => {
          this.emit("error", err);
          this.#clientSideCache?.onError();
          this.#preparedFieldsets.clear();
          if (this.#socket.isOpen && !this.#options.disableOfflineQueue) {
            this.#queue.flushWaitingForReply(err);
          } else {
            this.#queue.flushAll(err);
          }
        }).on("connect", () => this.emit("connect")).on("ready", () => {
          this.emit("ready");
          this.#setPingTimer();
          this.#maybeScheduleWrite();
        }).on("reconnecting", () => this.emit("reconnecting")).on("terminated", (cause) => this.emit("terminated", cause)).on("drain", () => this.#maybeScheduleWrite()).on("end", () => this.emit("end"));
      }
      #initiateSocket(clientId) {
        const socketInitiator = async () => {
          const promises = [], chainId = Symbol("Socket Initiator");
          const resubscribePromise = this.#queue.resubscribe(chainId);
          resubscribePromise?.catch((error) => {
            if (error.message && error.message.startsWith("MOVED")) {
              this.emit("__MOVED", this._self.#queue.removeAllPubSubListeners());
            }
          });
          if (resubscribePromise) {
            promises.push(resubscribePromise);
          }
          if (this.#monitorCallback) {
            promises.push(this.#queue.monitor(this.#monitorCallback, {
              typeMapping: this._commandOptions?.typeMapping,
              chainId,
              asap: true
            }));
          }
          promises.push(...await this.#handshake(chainId, true));
          if (promises.length) {
            this.#write();
            return Promise.all(promises);
          }
        };
        const socket = new socket_1.default(socketInitiator, clientId, this.#options.socket);
        this.#attachListeners(socket);
        return socket;
      }
      #pingTimer;
      #setPingTimer() {
        if (!this.#options.pingInterval || !this.#socket.isReady)
          return;
        clearTimeout(this.#pingTimer);
        this.#pingTimer = setTimeout(() => {
          if (!this.#socket.isReady)
            return;
          this.sendCommand(["PING"]).then((reply) => this.emit("ping-interval", reply)).catch((err) => this.emit("error", err)).finally(() => this.#setPingTimer());
        }, this.#options.pingInterval);
      }
      withCommandOptions(options) {
        const proxy = Object.create(this._self);
        proxy._commandOptions = { ...this._commandOptions, ...options };
        return proxy;
      }
      _commandOptionsProxy(key, value) {
        const proxy = Object.create(this._self);
        proxy._commandOptions = { ...this._commandOptions, [key]: value };
        return proxy;
      }
      /**
       * Override the `typeMapping` command option
       */
      withTypeMapping(typeMapping) {
        return this._commandOptionsProxy("typeMapping", typeMapping);
      }
      /**
       * Override the `abortSignal` command option
       */
      withAbortSignal(abortSignal) {
        return this._commandOptionsProxy("abortSignal", abortSignal);
      }
      /**
       * Override the `asap` command option to `true`
       */
      asap() {
        return this._commandOptionsProxy("asap", true);
      }
      /**
       * Create the "legacy" (v3/callback) interface
       */
      legacy() {
        return new legacy_mode_1.RedisLegacyClient(this);
      }
      /**
       * Create {@link RedisClientPool `RedisClientPool`} using this client as a prototype
       */
      createPool(options) {
        return pool_1.RedisClientPool.create(this._self.#options, options);
      }
      duplicate(overrides) {
        return new (Object.getPrototypeOf(this)).constructor({
          ...this._self.#options,
          // The options spread only carries the registry if the user originally passed one —
          // inject the live instance explicitly: a duplicate SHARES the parent's registrations.
          himportRegistry: this._self.#himportRegistry,
          commandOptions: this._commandOptions,
          ...overrides
        });
      }
      async connect() {
        await (0, tracing_1.trace)(tracing_1.CHANNELS.TRACE_CONNECT, () => this._self.#socket.connect(), () => ({
          ...this._self.#socketTraceContext(),
          clientId: this._self._clientId
        }));
        return this;
      }
      /**
       * @internal
       */
      _ejectSocket() {
        const socket = this._self.#socket;
        this._self.#socket = null;
        socket.removeAllListeners();
        return socket;
      }
      /**
       * @internal
       */
      _insertSocket(socket) {
        if (this._self.#socket) {
          this._self._ejectSocket().destroy();
        }
        this._self.#preparedFieldsets.clear();
        this._self.#socket = socket;
        this._self.#attachListeners(this._self.#socket);
      }
      /**
       * @internal
       */
      _maintenanceUpdate(update) {
        this._self.#socket.setMaintenanceTimeout(update.relaxedSocketTimeout);
        this._self.#queue.setMaintenanceCommandTimeout(update.relaxedCommandTimeout);
      }
      /**
       * @internal
       */
      _pause() {
        this._self.#paused = true;
      }
      /**
       * @internal
       */
      _unpause() {
        this._self.#paused = false;
        this._self.#maybeScheduleWrite();
      }
      /**
       * @internal
       */
      _handleSmigrated(smigratedEvent) {
        this._self.emit(enterprise_maintenance_manager_1.SMIGRATED_EVENT, smigratedEvent);
      }
      /**
       * @internal
       */
      _getQueue() {
        return this._self.#queue;
      }
      /**
       * @internal
       */
      async _executeCommand(command, parser, commandOptions, transformReply) {
        if (command === HIMPORT_SET_1.default || command === HIMPORT_PREPARE_1.default || command === HIMPORT_DISCARD_1.default || command === HIMPORT_DISCARDALL_1.default) {
          return this._self.#executeHimport(this, command, parser, commandOptions, transformReply);
        }
        const csc = this._self.#clientSideCache;
        const fn = () => {
          return this.sendCommand(parser.redisArgs, commandOptions);
        };
        if (csc) {
          const defaultTypeMapping = this._self.#options.commandOptions === commandOptions || this._self.#options.commandOptions?.typeMapping === commandOptions?.typeMapping;
          const cacheable = (0, command_metadata_1.isCacheable)(command_metadata_1.defaultCommandMetadata.lookup(parser.commandIdentifier), command.CACHEABLE);
          if (cacheable && defaultTypeMapping) {
            return await csc.handleCache(this._self, parser, fn, transformReply, commandOptions?.typeMapping);
          }
        }
        const reply = await fn();
        const finalReply = transformReply ? transformReply(reply, parser.preserve, commandOptions?.typeMapping) : reply;
        (0, tracing_1.publish)(tracing_1.CHANNELS.COMMAND_REPLY, () => ({ args: (0, tracing_1.sanitizeArgs)(parser.redisArgs), reply: finalReply, clientId: this._self._clientId }));
        return finalReply;
      }
      /**
       * HIMPORT transparency layer (design: ../himport/registry.ts module doc). Runs instead of
       * the normal `_executeCommand` tail for the four HIMPORT commands and keeps this
       * connection's server session coherent with the client-level fieldset registry:
       *
       * 1. Reconcile — replays DISCARDs this session missed (it was serving other commands when
       *    the user discarded on another connection).
       * 2. Lazy prepare — pipelines a PREPARE in front of a SET when this session lacks the
       *    fieldset or holds a stale field-list version. No await in between: the server
       *    processes them in arrival order on one socket.
       * 3. Registry-based replies — DISCARD/DISCARDALL resolve with the registry mutation result
       *    (`1`/count of registrations removed), not the per-session server reply, so the answer
       *    is deterministic across pools and clusters.
       * 4. Retry-once — a SET failing with `no such fieldset` for a *registered* fieldset means
       *    this session lost its state through a path the client did not observe; re-prepare on
       *    this same connection and retry a single time.
       *
       * Raw `sendCommand(['HIMPORT', ...])` bypasses this layer by construction.
       */
      async #executeHimport(client, command, parser, commandOptions, transformReply, retried = false) {
        const registry = this.#himportRegistry;
        const prepared = this.#preparedFieldsets;
        const args = parser.redisArgs;
        const effectiveAsap = commandOptions?.asap ?? client._commandOptions?.asap;
        const effectiveChainId = commandOptions?.chainId ?? client._commandOptions?.chainId;
        const injectOpts = { asap: effectiveAsap, chainId: effectiveChainId };
        const prelude = [];
        if (prepared.syncedDiscardCount < registry.discardCount) {
          const countAtInjection = registry.discardCount;
          const pending = registry.diff(prepared.names());
          const collapseToDiscardAll = pending.size > 0 && pending.size === prepared.size;
          const rollbackVersions = /* @__PURE__ */ new Map();
          for (const name of pending) {
            rollbackVersions.set(name, prepared.get(name));
            prepared.delete(name);
          }
          prepared.syncedDiscardCount = countAtInjection;
          const rollback = (names) => {
            for (const name of names) {
              const version = rollbackVersions.get(name);
              if (version !== void 0 && prepared.get(name) === void 0) {
                prepared.set(name, version);
              }
            }
            prepared.syncedDiscardCount = Math.min(prepared.syncedDiscardCount, countAtInjection - 1);
          };
          if (collapseToDiscardAll) {
            prelude.push({ args: ["HIMPORT", "DISCARDALL"], rollback: () => rollback(pending) });
          } else {
            for (const name of pending) {
              prelude.push({ args: ["HIMPORT", "DISCARD", name], rollback: () => rollback([name]) });
            }
          }
        }
        let userPrepare;
        let registryReply;
        let setName;
        let userDiscard;
        if (command === HIMPORT_PREPARE_1.default) {
          const name = String(args[2]);
          const priorFields = registry.get(name)?.fields;
          registry.set(name, args.slice(3));
          const version = registry.get(name).version;
          userPrepare = { name, version, priorFields };
          prepared.set(name, version);
        } else if (command === HIMPORT_SET_1.default) {
          const name = String(args[3]);
          setName = name;
          const entry = registry.get(name);
          if (entry !== void 0) {
            const sessionVersion = prepared.get(name);
            if (sessionVersion === void 0 || sessionVersion < entry.version) {
              prepared.set(name, entry.version);
              prelude.push({
                args: ["HIMPORT", "PREPARE", name, ...entry.fields],
                // Injected-PREPARE failures are often transient (LOADING, failover) — roll back
                // only the session claim, never the registration, or a valid fieldset would
                // permanently lose lazy re-prepare.
                rollback: () => {
                  if (prepared.get(name) === entry.version)
                    prepared.delete(name);
                },
                // Gate the SET reply on this PREPARE: if it fails while the connection stays alive
                // (e.g. ACL denies PREPARE), the SET would otherwise run against the stale
                // server-side field list and silently write values under the wrong field names.
                gateMain: true
              });
            }
          }
        } else if (command === HIMPORT_DISCARD_1.default) {
          const name = String(args[2]);
          const sessionVersion = prepared.get(name);
          const priorFields = registry.get(name)?.fields;
          if (registry.discard(name)) {
            registryReply = 1;
            userDiscard = {
              restore: sessionVersion === void 0 ? /* @__PURE__ */ new Map() : /* @__PURE__ */ new Map([[name, sessionVersion]]),
              removed: /* @__PURE__ */ new Map([[name, priorFields]]),
              countAfter: registry.discardCount
            };
          } else {
            registryReply = 0;
          }
          prepared.delete(name);
        } else {
          const restore = new Map(prepared.entries());
          const removed = registry.snapshot();
          registryReply = registry.discardAll();
          if (registryReply > 0) {
            userDiscard = { restore, removed, countAfter: registry.discardCount };
          }
          prepared.clear();
        }
        if (command === HIMPORT_SET_1.default && commandOptions?.askRedirect && prelude.length > 0) {
          prelude.push({ args: [ASKING_1.ASKING_CMD], rollback: () => {
          } });
        }
        const send = () => client.sendCommand(parser.redisArgs, commandOptions);
        let mainGate;
        const enqueue = (injection) => {
          const promise = client.sendCommand(injection.args, injectOpts);
          promise.catch(injection.rollback);
          if (injection.gateMain)
            mainGate = promise;
        };
        let mainPromise;
        if (effectiveAsap) {
          mainPromise = send();
          for (let i = prelude.length - 1; i >= 0; i--) {
            enqueue(prelude[i]);
          }
        } else {
          for (const injection of prelude) {
            enqueue(injection);
          }
          mainPromise = send();
        }
        let reply;
        try {
          reply = await mainPromise;
        } catch (err) {
          if (command === HIMPORT_PREPARE_1.default && userPrepare !== void 0) {
            const { name, version, priorFields } = userPrepare;
            if (prepared.get(name) === version)
              prepared.delete(name);
            if (registry.get(name)?.version === version) {
              if (priorFields !== void 0) {
                registry.set(name, priorFields);
              } else {
                registry.discard(name);
              }
            }
          } else if (command === HIMPORT_SET_1.default && setName !== void 0 && !retried && err?.message?.includes?.("no such fieldset") && registry.get(setName) !== void 0) {
            prepared.delete(setName);
            return this.#executeHimport(client, command, parser, commandOptions, transformReply, true);
          } else if (userDiscard !== void 0) {
            if (isPreEnqueueError(err)) {
              for (const [name, fields] of userDiscard.removed) {
                if (registry.get(name) === void 0)
                  registry.set(name, fields);
              }
            }
            for (const [name, version] of userDiscard.restore) {
              if (prepared.get(name) === void 0)
                prepared.set(name, version);
            }
            prepared.syncedDiscardCount = Math.min(prepared.syncedDiscardCount, userDiscard.countAfter - 1);
          }
          throw err;
        }
        if (mainGate !== void 0) {
          try {
            await mainGate;
          } catch (prepareErr) {
            if (setName !== void 0)
              prepared.delete(setName);
            throw prepareErr;
          }
        }
        const finalReply = registryReply !== void 0 ? registryReply : transformReply ? transformReply(reply, parser.preserve, commandOptions?.typeMapping) : reply;
        (0, tracing_1.publish)(tracing_1.CHANNELS.COMMAND_REPLY, () => ({ args: (0, tracing_1.sanitizeArgs)(parser.redisArgs), reply: finalReply, clientId: this._clientId }));
        return finalReply;
      }
      /**
       * @internal
       */
      async _executeScript(script, parser, options, transformReply) {
        const args = parser.redisArgs;
        let reply;
        try {
          reply = await this.sendCommand(args, options);
        } catch (err) {
          if (!err?.message?.startsWith?.("NOSCRIPT"))
            throw err;
          args[0] = "EVAL";
          args[1] = script.SCRIPT;
          reply = await this.sendCommand(args, options);
        }
        return transformReply ? transformReply(reply, parser.preserve, options?.typeMapping) : reply;
      }
      sendCommand(args, options) {
        return (0, tracing_1.trace)(tracing_1.CHANNELS.TRACE_COMMAND, () => {
          if (!this._self.#socket.isOpen) {
            return Promise.reject(new errors_1.ClientClosedError());
          } else if (!this._self.#socket.isReady && this._self.#options.disableOfflineQueue) {
            return Promise.reject(new errors_1.ClientOfflineError());
          }
          const opts = {
            ...this._commandOptions,
            ...options
          };
          const promise = this._self.#queue.addCommand(args, opts);
          this._self.#scheduleWrite();
          return promise;
        }, () => this._self.#commandTraceContext(args));
      }
      #commandTraceContext(args) {
        return {
          command: String(args[0]).toUpperCase(),
          args: (0, tracing_1.sanitizeArgs)(args),
          database: this.#selectedDB,
          clientId: this._clientId,
          ...this.#socketTraceContext()
        };
      }
      #socketTraceContext() {
        const socketOptions = this.#options.socket;
        if (socketOptions && "path" in socketOptions) {
          return { serverAddress: socketOptions.path, serverPort: void 0 };
        }
        return {
          serverAddress: socketOptions?.host ?? "localhost",
          serverPort: socketOptions?.port ?? 6379
        };
      }
      async SELECT(db) {
        await this.sendCommand(["SELECT", db.toString()]);
        this._self.#selectedDB = db;
      }
      select = this.SELECT;
      #pubSubCommand(promise) {
        if (promise === void 0)
          return Promise.resolve();
        this.#scheduleWrite();
        return promise;
      }
      SUBSCRIBE(channels, listener, bufferMode) {
        return this._self.#pubSubCommand(this._self.#queue.subscribe(pub_sub_1.PUBSUB_TYPE.CHANNELS, channels, listener, bufferMode));
      }
      subscribe = this.SUBSCRIBE;
      UNSUBSCRIBE(channels, listener, bufferMode) {
        return this._self.#pubSubCommand(this._self.#queue.unsubscribe(pub_sub_1.PUBSUB_TYPE.CHANNELS, channels, listener, bufferMode));
      }
      unsubscribe = this.UNSUBSCRIBE;
      PSUBSCRIBE(patterns, listener, bufferMode) {
        return this._self.#pubSubCommand(this._self.#queue.subscribe(pub_sub_1.PUBSUB_TYPE.PATTERNS, patterns, listener, bufferMode));
      }
      pSubscribe = this.PSUBSCRIBE;
      PUNSUBSCRIBE(patterns, listener, bufferMode) {
        return this._self.#pubSubCommand(this._self.#queue.unsubscribe(pub_sub_1.PUBSUB_TYPE.PATTERNS, patterns, listener, bufferMode));
      }
      pUnsubscribe = this.PUNSUBSCRIBE;
      SSUBSCRIBE(channels, listener, bufferMode) {
        return this._self.#pubSubCommand(this._self.#queue.subscribe(pub_sub_1.PUBSUB_TYPE.SHARDED, channels, listener, bufferMode));
      }
      sSubscribe = this.SSUBSCRIBE;
      SUNSUBSCRIBE(channels, listener, bufferMode) {
        return this._self.#pubSubCommand(this._self.#queue.unsubscribe(pub_sub_1.PUBSUB_TYPE.SHARDED, channels, listener, bufferMode));
      }
      sUnsubscribe = this.SUNSUBSCRIBE;
      async WATCH(key) {
        const reply = await this._self.sendCommand(["WATCH", ...(0, parser_1.prefixKeys)(this._self._keyPrefix, key)]);
        this._self.#watchEpoch ??= this._self.socketEpoch;
        return reply;
      }
      watch = this.WATCH;
      async UNWATCH() {
        const reply = await this._self.sendCommand(["UNWATCH"]);
        this._self.#watchEpoch = void 0;
        return reply;
      }
      unwatch = this.UNWATCH;
      getPubSubListeners(type) {
        return this._self.#queue.getPubSubListeners(type);
      }
      extendPubSubChannelListeners(type, channel, listeners) {
        return this._self.#pubSubCommand(this._self.#queue.extendPubSubChannelListeners(type, channel, listeners));
      }
      extendPubSubListeners(type, listeners) {
        return this._self.#pubSubCommand(this._self.#queue.extendPubSubListeners(type, listeners));
      }
      #write() {
        if (this.#paused) {
          return;
        }
        this.#socket.write(this.#queue.commandsToWrite());
      }
      #scheduledWrite;
      #scheduleWrite() {
        if (!this.#socket.isReady || this.#scheduledWrite)
          return;
        this.#scheduledWrite = setImmediate(() => {
          this.#write();
          this.#scheduledWrite = void 0;
        });
      }
      #maybeScheduleWrite() {
        if (!this.#queue.isWaitingToWrite())
          return;
        this.#scheduleWrite();
      }
      /**
       * @internal
       */
      async _executePipeline(commands, selectedDB, slotNumber) {
        assertNoHimportSessionCommands(commands);
        if (!this._self.#socket.isOpen) {
          return Promise.reject(new errors_1.ClientClosedError());
        }
        const batchSize = commands.length;
        return (0, tracing_1.trace)(tracing_1.CHANNELS.TRACE_BATCH, async () => {
          const chainId = Symbol("Pipeline Chain");
          const promise = Promise.all(commands.map(({ args }) => {
            const traced = (0, tracing_1.trace)(tracing_1.CHANNELS.TRACE_COMMAND, () => this._self.#queue.addCommand(args, {
              chainId,
              typeMapping: this._commandOptions?.typeMapping,
              slotNumber
            }), () => ({
              ...this._self.#commandTraceContext(args),
              batchMode: "PIPELINE",
              batchSize
            }));
            traced.catch(noop);
            return traced;
          }));
          this._self.#scheduleWrite();
          const result = await promise;
          if (selectedDB !== void 0) {
            this._self.#selectedDB = selectedDB;
          }
          return result;
        }, () => ({
          batchMode: "PIPELINE",
          batchSize,
          database: this._self.#selectedDB,
          clientId: this._self._clientId,
          ...this._self.#socketTraceContext()
        }));
      }
      /**
       * @internal
       */
      async _executeMulti(commands, selectedDB, slotNumber, chainId = Symbol("MULTI Chain")) {
        assertNoHimportSessionCommands(commands);
        const dirtyWatch = this._self.#dirtyWatch;
        this._self.#dirtyWatch = void 0;
        const watchEpoch = this._self.#watchEpoch;
        this._self.#watchEpoch = void 0;
        if (!this._self.#socket.isOpen) {
          throw new errors_1.ClientClosedError();
        }
        if (dirtyWatch) {
          throw new errors_1.WatchError(dirtyWatch);
        }
        if (watchEpoch && watchEpoch !== this._self.socketEpoch) {
          throw new errors_1.WatchError("Client reconnected after WATCH");
        }
        const batchSize = commands.length;
        return (0, tracing_1.trace)(tracing_1.CHANNELS.TRACE_BATCH, async () => {
          const typeMapping = this._commandOptions?.typeMapping;
          const promises = [
            this._self.#queue.addCommand(["MULTI"], { chainId, slotNumber })
          ];
          for (const { args } of commands) {
            promises.push(this._self.#queue.addCommand(args, {
              chainId,
              typeMapping,
              slotNumber
            }));
          }
          promises.push(this._self.#queue.addCommand(["EXEC"], { chainId, slotNumber }));
          this._self.#scheduleWrite();
          const results = await Promise.all(promises), execResult = results[results.length - 1];
          if (execResult === null) {
            throw new errors_1.WatchError();
          }
          if (selectedDB !== void 0) {
            this._self.#selectedDB = selectedDB;
          }
          return execResult;
        }, () => ({
          batchMode: "MULTI",
          batchSize,
          database: this._self.#selectedDB,
          clientId: this._self._clientId,
          ...this._self.#socketTraceContext()
        }));
      }
      MULTI() {
        return new this.Multi(this._executeMulti.bind(this), this._executePipeline.bind(this), this._commandOptions?.typeMapping, this._self._keyPrefix);
      }
      multi = this.MULTI;
      /**
       * Async iterator over the keyspace, issuing paged `SCAN` calls and yielding one array
       * of keys per page until the cursor returns to `0`.
       *
       * @remarks
       * With a configured {@link RedisClientOptions.keyPrefix}, the yielded keys are the
       * **already-prefixed** keys as stored on the server — replies are never un-prefixed.
       * Passing them straight back into a key-prefixed command prefixes them a second time
       * (e.g. with `keyPrefix: 'app:'`, a yielded `'app:foo'` becomes `'app:app:foo'`):
       *
       * ```js
       * for await (const keys of client.scanIterator()) {
       *   await client.mGet(keys); // ⚠️ double-prefixes -> reads 'app:app:foo'
       * }
       * ```
       *
       * Strip the prefix before reusing the keys, or read them with a client that has no
       * `keyPrefix`.
       */
      async *scanIterator(options) {
        let cursor = options?.cursor ?? "0";
        do {
          const reply = await this.scan(cursor, options);
          cursor = reply.cursor;
          yield reply.keys;
        } while (cursor.toString() !== "0");
      }
      async *hScanIterator(key, options) {
        let cursor = options?.cursor ?? "0";
        do {
          const reply = await this.hScan(key, cursor, options);
          cursor = reply.cursor;
          yield reply.entries;
        } while (cursor.toString() !== "0");
      }
      async *hScanValuesIterator(key, options) {
        let cursor = options?.cursor ?? "0";
        do {
          const reply = await this.hScan(key, cursor, options);
          cursor = reply.cursor;
          yield reply.entries.map((entry) => entry.value);
        } while (cursor.toString() !== "0");
      }
      async *hScanNoValuesIterator(key, options) {
        let cursor = options?.cursor ?? "0";
        do {
          const reply = await this.hScanNoValues(key, cursor, options);
          cursor = reply.cursor;
          yield reply.fields;
        } while (cursor.toString() !== "0");
      }
      async *sScanIterator(key, options) {
        let cursor = options?.cursor ?? "0";
        do {
          const reply = await this.sScan(key, cursor, options);
          cursor = reply.cursor;
          yield reply.members;
        } while (cursor.toString() !== "0");
      }
      async *zScanIterator(key, options) {
        let cursor = options?.cursor ?? "0";
        do {
          const reply = await this.zScan(key, cursor, options);
          cursor = reply.cursor;
          yield reply.members;
        } while (cursor.toString() !== "0");
      }
      async MONITOR(callback) {
        const promise = this._self.#queue.monitor(callback, {
          typeMapping: this._commandOptions?.typeMapping
        });
        this._self.#scheduleWrite();
        await promise;
        this._self.#monitorCallback = callback;
      }
      monitor = this.MONITOR;
      /**
       * Reset the client to its default state (i.e. stop PubSub, stop monitoring, select default DB, etc.)
       */
      async reset() {
        this._self.#preparedFieldsets.clear();
        const chainId = Symbol("Reset Chain"), promises = [this._self.#queue.reset(chainId)], selectedDB = this._self.#options?.database ?? 0;
        this._self.#credentialsSubscription?.dispose();
        this._self.#credentialsSubscription = null;
        promises.push(...await this._self.#handshake(chainId, false));
        this._self.#scheduleWrite();
        await Promise.all(promises);
        this._self.#selectedDB = selectedDB;
        this._self.#monitorCallback = void 0;
        this._self.#dirtyWatch = void 0;
        this._self.#watchEpoch = void 0;
      }
      /**
       * If the client has state, reset it.
       * An internal function to be used by wrapper class such as `RedisClientPool`.
       * @internal
       */
      resetIfDirty() {
        let shouldReset = false;
        if (this._self.#selectedDB !== (this._self.#options?.database ?? 0)) {
          console.warn("Returning a client with a different selected DB");
          shouldReset = true;
        }
        if (this._self.#monitorCallback) {
          console.warn("Returning a client with active MONITOR");
          shouldReset = true;
        }
        if (this._self.#queue.isPubSubActive) {
          console.warn("Returning a client with active PubSub");
          shouldReset = true;
        }
        if (this._self.#dirtyWatch || this._self.#watchEpoch) {
          console.warn("Returning a client with active WATCH");
          shouldReset = true;
        }
        if (shouldReset) {
          return this.reset();
        }
      }
      /**
       * @deprecated use .close instead
       */
      QUIT() {
        this._self.#credentialsSubscription?.dispose();
        this._self.#credentialsSubscription = null;
        return this._self.#socket.quit(async () => {
          clearTimeout(this._self.#pingTimer);
          const quitPromise = this._self.#queue.addCommand(["QUIT"]);
          this._self.#scheduleWrite();
          this._self.#unregisterFromMetrics();
          return quitPromise;
        });
      }
      quit = this.QUIT;
      /**
       * @deprecated use .destroy instead
       */
      disconnect() {
        return Promise.resolve(this.destroy());
      }
      /**
       * Close the client. Wait for pending commands.
       */
      close() {
        return new Promise((resolve) => {
          clearTimeout(this._self.#pingTimer);
          this._self.#socket.close();
          if (this._self.#socket.socketEpoch > 0) {
            this._self.#clientSideCache?.onClose();
          }
          this._self.#credentialsSubscription?.dispose();
          this._self.#credentialsSubscription = null;
          if (this._self.#queue.isEmpty()) {
            this._self.#unregisterFromMetrics();
            this._self.#socket.destroySocket();
            return resolve();
          }
          const onEnd = () => {
            this._self.#socket.off("data", maybeClose);
            this._self.#unregisterFromMetrics();
            resolve();
          };
          const maybeClose = () => {
            if (!this._self.#queue.isEmpty())
              return;
            this._self.#socket.off("data", maybeClose);
            this._self.#socket.off("end", onEnd);
            this._self.#unregisterFromMetrics();
            this._self.#socket.destroySocket();
            resolve();
          };
          this._self.#socket.on("data", maybeClose);
          this._self.#socket.once("end", onEnd);
        });
      }
      /**
       * Destroy the client. Rejects all commands immediately.
       */
      destroy() {
        clearTimeout(this._self.#pingTimer);
        this._self.#queue.flushAll(new errors_1.DisconnectsClientError());
        this._self.#socket.destroy();
        if (this._self.#socket.socketEpoch > 0) {
          this._self.#clientSideCache?.onClose();
        }
        this._self.#unregisterFromMetrics();
        this._self.#credentialsSubscription?.dispose();
        this._self.#credentialsSubscription = null;
      }
      ref() {
        this._self.#socket.ref();
      }
      unref() {
        this._self.#socket.unref();
      }
    };
    _a = RedisClient;
    exports.default = RedisClient;
  }
});

// dist/lib/cluster/cluster-reconnection-tracker.js
var require_cluster_reconnection_tracker = __commonJS({
  "dist/lib/cluster/cluster-reconnection-tracker.js"(exports) {
    "use strict";
    var _a;
    Object.defineProperty(exports, "__esModule", { value: true });
    var ClusterReconnectionTracker = class {
      /** Default delay (ms) before triggering a topology refresh after reconnection starts */
      static #DEFAULT_TOPOLOGY_REFRESH_ON_RECONNECTION_ATTEMPT = 5e3;
      #strategy;
      /** Maps client ID to its node address for clients currently in a reconnecting state */
      #reconnectingClients = /* @__PURE__ */ new Map();
      /** Timestamp of the first reconnection attempt in the current reconnection cycle */
      #firstReconnectionAt;
      /**
       * Validates that a strategy value is acceptable before use.
       * @throws If the strategy is not supported
       */
      #validate(strategy) {
        if (strategy === void 0 || strategy === false || typeof strategy === "function" || typeof strategy === "number" && Number.isInteger(strategy) && strategy >= 0) {
          return;
        }
        throw new TypeError("topologyRefreshOnReconnectionAttempt must be undefined, false, a non-negative integer, or a function");
      }
      constructor(strategy) {
        this.#validate(strategy);
        this.#strategy = strategy;
      }
      get reconnectingAddresses() {
        return new Set(this.#reconnectingClients.values());
      }
      get firstReconnectionAt() {
        return this.#firstReconnectionAt;
      }
      /**
       * Records a reconnection attempt for the given client and evaluates whether
       * the configured delay has elapsed since the first attempt in this cycle.
       *
       * @returns `true` if a topology refresh should be triggered, `false` otherwise
       * @throws If a user-supplied strategy function returns an invalid value
       */
      onReconnectionAttempt(clientId, address, now = Date.now()) {
        if (this.#strategy === false || this.#strategy === 0) {
          return false;
        }
        this.#reconnectingClients.set(clientId, address);
        this.#firstReconnectionAt ??= now;
        const delay = this.#getDelay(this.#firstReconnectionAt);
        if (delay === void 0 || now - this.#firstReconnectionAt < delay) {
          return false;
        }
        this.#firstReconnectionAt = now;
        return true;
      }
      /** Removes a client from tracking (e.g. when it reconnects successfully or disconnects) */
      removeClient(clientId) {
        if (!this.#reconnectingClients.delete(clientId))
          return;
        this.#clearTimestampIfClean();
      }
      /** Resets all tracking state (e.g. on cluster disconnect or destroy) */
      clear() {
        this.#reconnectingClients.clear();
        this.#firstReconnectionAt = void 0;
      }
      /**
       * Evaluates the configured strategy to determine the delay before a topology refresh.
       * @returns The delay in ms, or `undefined` if no refresh should occur
       */
      #getDelay(firstReconnectionAt) {
        if (this.#strategy === void 0) {
          return _a.#DEFAULT_TOPOLOGY_REFRESH_ON_RECONNECTION_ATTEMPT;
        }
        if (this.#strategy === false) {
          return;
        }
        if (typeof this.#strategy === "number") {
          return this.#strategy;
        }
        const delay = this.#strategy(firstReconnectionAt);
        if (delay === false || delay === void 0 || delay === 0)
          return;
        if (!Number.isInteger(delay) || delay < 0) {
          throw new TypeError(`topologyRefreshOnReconnectionAttempt should return \`false | undefined | number\`, got ${delay} instead`);
        }
        return delay;
      }
      #clearTimestampIfClean() {
        if (this.#reconnectingClients.size === 0) {
          this.#firstReconnectionAt = void 0;
        }
      }
    };
    _a = ClusterReconnectionTracker;
    exports.default = ClusterReconnectionTracker;
  }
});

// dist/lib/cluster/cluster-slots.js
var require_cluster_slots = __commonJS({
  "dist/lib/cluster/cluster-slots.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    var _a;
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.splitInFlightChainTail = exports.groupCommandsByDestination = exports.RESUBSCRIBE_LISTENERS_EVENT = void 0;
    var errors_1 = require_errors();
    var client_1 = __importDefault(require_client());
    var pub_sub_1 = require_pub_sub();
    var types_1 = require_types();
    var calculate_slot_1 = __importDefault(require_calculate_slot());
    var cache_1 = require_cache();
    var enterprise_maintenance_manager_1 = require_enterprise_maintenance_manager();
    var identity_1 = require_identity();
    var cluster_reconnection_tracker_1 = __importDefault(require_cluster_reconnection_tracker());
    var registry_1 = require_registry();
    exports.RESUBSCRIBE_LISTENERS_EVENT = "__resubscribeListeners";
    var DEFAULT_CURSOR_MAX_IDLE_MS = 3e5;
    function groupCommandsByDestination(commands, slots, fallback) {
      const byDestination = /* @__PURE__ */ new Map();
      const unrouted = [];
      for (const command of commands) {
        const destination = command.slotNumber === void 0 ? fallback : slots[command.slotNumber]?.master ?? fallback;
        if (!destination) {
          unrouted.push(command);
          continue;
        }
        const group = byDestination.get(destination);
        if (group) {
          group.push(command);
        } else {
          byDestination.set(destination, [command]);
        }
      }
      return { byDestination, unrouted };
    }
    exports.groupCommandsByDestination = groupCommandsByDestination;
    function splitInFlightChainTail(commands, chainInExecution) {
      const inFlightChainTail = chainInExecution === void 0 ? [] : commands.filter((command) => command.chainId === chainInExecution);
      const relocatable = inFlightChainTail.length === 0 ? commands : commands.filter((command) => command.chainId !== chainInExecution);
      return { inFlightChainTail, relocatable };
    }
    exports.splitInFlightChainTail = splitInFlightChainTail;
    var RedisClusterSlots = class {
      static #SLOTS = 16384;
      #options;
      #clientFactory;
      #emit;
      #clusterClientId;
      #reconnectionTracker;
      slots = new Array(_a.#SLOTS);
      masters = new Array();
      replicas = new Array();
      nodeByAddress = /* @__PURE__ */ new Map();
      pubSubNode;
      clientSideCache;
      /**
       * One fieldset registry for the whole cluster: HIMPORT PREPARE fans out to all masters
       * via the policy layer, and every node client (including MOVED/rediscovered nodes and
       * SMIGRATED destinations) must lazily re-prepare from the same registrations.
       */
      #himportRegistry;
      /** The cluster-wide registry, exposed so `RedisCluster.duplicate()` can share it. */
      get himportRegistry() {
        return this.#himportRegistry;
      }
      smigratedSeqIdsSeen = /* @__PURE__ */ new Set();
      /**
       * Per-instance sticky FT cursor bindings, keyed by the client-minted virtual
       * token (the value the caller holds in place of the server's cursor id).
       * Server cursor ids are minted per node and can collide across shards;
       * client tokens come from one sequence and cannot.
       */
      cursorBindings = /* @__PURE__ */ new Map();
      /** Per-instance cluster-wide SCAN chains, keyed by the virtual cursor token. */
      scanCursors = /* @__PURE__ */ new Map();
      #cursorTokenSeq = 0;
      #topologyRefreshPromise;
      #isOpen = false;
      get isOpen() {
        return this.#isOpen;
      }
      #isReady = false;
      get isReady() {
        return this.#isReady;
      }
      #validateOptions(options) {
        if (options?.clientSideCache && (options?.RESP ?? types_1.DEFAULT_RESP) !== 3) {
          throw new Error("Client Side Caching is only supported with RESP3");
        }
      }
      constructor(options, emit, clusterClientId) {
        this.#validateOptions(options);
        this.#options = options;
        this.#himportRegistry = options.himportRegistry ?? new registry_1.FieldsetRegistry();
        this.#clusterClientId = clusterClientId;
        this.#reconnectionTracker = new cluster_reconnection_tracker_1.default(options.topologyRefreshOnReconnectionAttemptStrategy);
        if (options?.clientSideCache) {
          if (options.clientSideCache instanceof cache_1.PooledClientSideCacheProvider) {
            this.clientSideCache = options.clientSideCache;
          } else {
            this.clientSideCache = new cache_1.BasicPooledClientSideCache(options.clientSideCache);
          }
        }
        this.#clientFactory = client_1.default.factory(this.#options);
        this.#emit = emit;
      }
      async connect() {
        if (this.#isOpen) {
          throw new Error("Cluster already open");
        }
        this.#isOpen = true;
        this.#isReady = false;
        try {
          await this.#discoverWithRootNodes();
          if (this.#isOpen) {
            this.#isReady = true;
            this.#emit("connect");
          }
        } catch (err) {
          this.#isOpen = false;
          this.#isReady = false;
          throw err;
        }
      }
      async #discoverWithRootNodes() {
        const start = Math.floor(Math.random() * this.#options.rootNodes.length);
        for (let i = start; i < this.#options.rootNodes.length; i++) {
          if (!this.#isOpen)
            throw new Error("Cluster closed");
          if (await this.#discover(this.#options.rootNodes[i])) {
            return;
          }
        }
        for (let i = 0; i < start; i++) {
          if (!this.#isOpen)
            throw new Error("Cluster closed");
          if (await this.#discover(this.#options.rootNodes[i])) {
            return;
          }
        }
        throw new errors_1.RootNodesUnavailableError();
      }
      #resetSlots() {
        this.slots = new Array(_a.#SLOTS);
        this.masters = [];
        this.replicas = [];
        this._randomNodeIterator = void 0;
      }
      async #discover(rootNode) {
        this.clientSideCache?.clear();
        this.clientSideCache?.disable();
        try {
          const addressesInUse = /* @__PURE__ */ new Set(), promises = [], eagerConnect = this.#options.minimizeConnections !== true;
          const shards = await this.#getShards(rootNode);
          this.#resetSlots();
          for (const { from, to, master, replicas } of shards) {
            const shard = {
              master: this.#initiateSlotNode(master, false, eagerConnect, addressesInUse, promises)
            };
            if (this.#options.useReplicas) {
              shard.replicas = replicas.map((replica) => this.#initiateSlotNode(replica, true, eagerConnect, addressesInUse, promises));
            }
            for (let i = from; i <= to; i++) {
              this.slots[i] = shard;
            }
          }
          if (this.pubSubNode && !addressesInUse.has(this.pubSubNode.address)) {
            const channelsListeners = this.pubSubNode.client.getPubSubListeners(pub_sub_1.PUBSUB_TYPE.CHANNELS), patternsListeners = this.pubSubNode.client.getPubSubListeners(pub_sub_1.PUBSUB_TYPE.PATTERNS);
            this.#reconnectionTracker.removeClient(this.pubSubNode.client._clientId);
            this.pubSubNode.client.destroy();
            if (channelsListeners.size || patternsListeners.size) {
              promises.push(this.#initiatePubSubClient({
                [pub_sub_1.PUBSUB_TYPE.CHANNELS]: channelsListeners,
                [pub_sub_1.PUBSUB_TYPE.PATTERNS]: patternsListeners
              }));
            }
          }
          for (const [address, node] of this.nodeByAddress.entries()) {
            if (addressesInUse.has(address))
              continue;
            const { pubSub } = node;
            if (pubSub) {
              const listeners = pubSub.client._getQueue().removeAllPubSubListeners();
              if (listeners.CHANNELS.size || listeners.PATTERNS.size || listeners.SHARDED.size) {
                this.#emit(exports.RESUBSCRIBE_LISTENERS_EVENT, listeners);
              }
            }
            if (node.client) {
              this.#reconnectionTracker.removeClient(node.client._clientId);
              node.client.destroy();
              node.client = void 0;
            }
            if (pubSub) {
              this.#reconnectionTracker.removeClient(pubSub.client._clientId);
              pubSub.client.destroy();
              node.pubSub = void 0;
            }
            this.nodeByAddress.delete(address);
          }
          await Promise.all(promises);
          this.clientSideCache?.enable();
          return true;
        } catch (err) {
          this.#emit("error", err);
          return false;
        }
      }
      #handleSmigrated = async (event) => {
        (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: handle smigrated`, JSON.stringify(event, null, 2));
        if (this.smigratedSeqIdsSeen.has(event.seqId)) {
          (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: sequence id ${event.seqId} already seen, abort`);
          return;
        }
        this.smigratedSeqIdsSeen.add(event.seqId);
        for (const entry of event.entries) {
          const sourceAddress = `${entry.source.host}:${entry.source.port}`;
          const sourceNode = this.nodeByAddress.get(sourceAddress);
          (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Looking for sourceAddress=${sourceAddress}. Available addresses in nodeByAddress: ${Array.from(this.nodeByAddress.keys()).join(", ")}`);
          if (!sourceNode) {
            (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: address ${sourceAddress} not in 'nodeByAddress', skipping this entry`);
            continue;
          }
          if (sourceNode.client === void 0) {
            (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Node for ${sourceAddress} does not have a client, skipping this entry`);
            continue;
          }
          const allMovingSlots = /* @__PURE__ */ new Set();
          const pausedDestNodes = /* @__PURE__ */ new Set();
          try {
            sourceNode.client?._pause();
            if ("pubSub" in sourceNode) {
              sourceNode.pubSub?.client._pause();
            }
            let lastDestNode;
            for (const { addr: { host, port }, slots } of entry.destinations) {
              const destinationAddress = `${host}:${port}`;
              let destMasterNode = this.nodeByAddress.get(destinationAddress);
              (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Looking for destAddress=${destinationAddress}. Found in nodeByAddress: ${destMasterNode ? "YES" : "NO"}`);
              let destShard;
              if (!destMasterNode) {
                const promises = [];
                destMasterNode = this.#initiateSlotNode({ host, port, id: `smigrated-${host}:${port}` }, false, true, /* @__PURE__ */ new Set(), promises);
                await Promise.all([...promises, this.#initiateShardedPubSubClient(destMasterNode)]);
                destMasterNode.client?._pause();
                destMasterNode.pubSub?.client._pause();
                pausedDestNodes.add(destMasterNode);
                destShard = {
                  master: destMasterNode
                };
              } else {
                const allMasters = [...new Set(this.slots)].map((s) => `${s.master.host}:${s.master.port}`);
                (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Searching for shard with host=${host}, port=${port}. Available masters in slots: ${allMasters.join(", ")}`);
                const existingShard = this.slots.find((shard) => shard.master.host === host && shard.master.port === port);
                if (!existingShard) {
                  (0, enterprise_maintenance_manager_1.dbgMaintenance)("Could not find shard");
                  throw new Error("Could not find shard");
                }
                destShard = existingShard;
                destMasterNode.client?._pause();
                destMasterNode.pubSub?.client._pause();
                pausedDestNodes.add(destMasterNode);
              }
              lastDestNode = destMasterNode;
              const destinationSlots = /* @__PURE__ */ new Set();
              for (const slot of slots) {
                if (typeof slot === "number") {
                  this.slots[slot] = destShard;
                  destinationSlots.add(slot);
                  allMovingSlots.add(slot);
                } else {
                  for (let s = slot[0]; s <= slot[1]; s++) {
                    this.slots[s] = destShard;
                    destinationSlots.add(s);
                    allMovingSlots.add(s);
                  }
                }
              }
              (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Updated slots to point to destination ${destMasterNode.address}. Sample slots: ${Array.from(slots).slice(0, 5).join(", ")}${slots.length > 5 ? "..." : ""}`);
              const commandsForDestination = sourceNode.client._getQueue().extractCommandsForSlots(destinationSlots);
              if (commandsForDestination.length > 0) {
                if (destMasterNode.client) {
                  destMasterNode.client._getQueue().prependCommandsToWrite(commandsForDestination);
                  (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Extracted ${commandsForDestination.length} commands for ${destinationSlots.size} slots, prepended to ${destMasterNode.address}`);
                } else {
                  sourceNode.client._getQueue().rejectCommands(commandsForDestination, new errors_1.DisconnectsClientError());
                  (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Rejected ${commandsForDestination.length} commands for ${destinationSlots.size} slots because ${destMasterNode.address} has no client`);
                }
              }
              destMasterNode.client?._unpause();
              destMasterNode.pubSub?.client._unpause();
              pausedDestNodes.delete(destMasterNode);
            }
            (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Total ${allMovingSlots.size} slots moved from ${sourceAddress}. Sample: ${Array.from(allMovingSlots).slice(0, 10).join(", ")}${allMovingSlots.size > 10 ? "..." : ""}`);
            const INFLIGHT_TIMEOUT_MS = 5e3;
            const inflightPromises = [];
            const inflightOptions = { timeoutMs: INFLIGHT_TIMEOUT_MS, flushOnTimeout: true };
            inflightPromises.push(sourceNode.client._getQueue().waitForInflightCommandsToComplete(inflightOptions));
            if ("pubSub" in sourceNode && sourceNode.pubSub !== void 0) {
              inflightPromises.push(sourceNode.pubSub.client._getQueue().waitForInflightCommandsToComplete(inflightOptions));
            }
            if (this.pubSubNode?.address === sourceAddress) {
              inflightPromises.push(this.pubSubNode.client._getQueue().waitForInflightCommandsToComplete(inflightOptions));
            }
            await Promise.all(inflightPromises);
            const sourceStillHasSlots = this.slots.find((slot) => slot.master.address === sourceAddress) !== void 0;
            if (sourceStillHasSlots) {
              if ("pubSub" in sourceNode) {
                const listeners = sourceNode.pubSub?.client._getQueue().removeShardedPubSubListenersForSlots(allMovingSlots);
                this.#emit(exports.RESUBSCRIBE_LISTENERS_EVENT, listeners);
              }
              sourceNode.client?._unpause();
              if ("pubSub" in sourceNode) {
                sourceNode.pubSub?.client._unpause();
              }
            } else {
              const remainingCommands = sourceNode.client._getQueue().extractAllCommands();
              if (remainingCommands.length > 0) {
                const chainInExecution = sourceNode.client._getQueue().chainInExecution;
                const { inFlightChainTail, relocatable } = splitInFlightChainTail(remainingCommands, chainInExecution);
                if (inFlightChainTail.length > 0) {
                  sourceNode.client._getQueue().rejectCommands(inFlightChainTail, new errors_1.DisconnectsClientError());
                  (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Rejected ${inFlightChainTail.length} commands from a chain already partially sent to the server, can't be safely relocated`);
                }
                if (relocatable.length > 0) {
                  const { byDestination: commandsByDestination, unrouted } = groupCommandsByDestination(relocatable, this.slots, lastDestNode);
                  if (unrouted.length > 0) {
                    sourceNode.client._getQueue().rejectCommands(unrouted, new errors_1.DisconnectsClientError());
                    (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Rejected ${unrouted.length} commands with no resolvable slot owner and no fallback destination`);
                  }
                  for (const [destNode, commands] of commandsByDestination) {
                    if (destNode.client) {
                      destNode.client._getQueue().prependCommandsToWrite(commands);
                      destNode.client._unpause();
                      (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Moved ${commands.length} remaining commands to ${destNode.address}`);
                    } else {
                      sourceNode.client._getQueue().rejectCommands(commands, new errors_1.DisconnectsClientError());
                      (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Rejected ${commands.length} remaining commands because ${destNode.address} has no client`);
                    }
                  }
                }
              }
              if ("pubSub" in sourceNode) {
                const listeners = sourceNode.pubSub?.client._getQueue().removeAllPubSubListeners();
                this.#emit(exports.RESUBSCRIBE_LISTENERS_EVENT, listeners);
              }
              this.masters = this.masters.filter((master) => master.address !== sourceAddress);
              this.replicas = this.replicas.filter((replica) => replica.address !== sourceAddress);
              this.nodeByAddress.delete(sourceAddress);
              if (this.pubSubNode?.address === sourceAddress) {
                const channelsListeners = this.pubSubNode.client.getPubSubListeners(pub_sub_1.PUBSUB_TYPE.CHANNELS), patternsListeners = this.pubSubNode.client.getPubSubListeners(pub_sub_1.PUBSUB_TYPE.PATTERNS);
                const oldPubSubClient = this.pubSubNode.client;
                if (channelsListeners.size || patternsListeners.size) {
                  await this.#initiatePubSubClient({
                    [pub_sub_1.PUBSUB_TYPE.CHANNELS]: channelsListeners,
                    [pub_sub_1.PUBSUB_TYPE.PATTERNS]: patternsListeners
                  });
                } else {
                  this.pubSubNode = void 0;
                }
                this.#reconnectionTracker.removeClient(oldPubSubClient._clientId);
                oldPubSubClient.destroy();
              }
              this.#reconnectionTracker.removeClient(sourceNode.client?._clientId);
              sourceNode.client.destroy();
              if ("pubSub" in sourceNode && sourceNode.pubSub) {
                this.#reconnectionTracker.removeClient(sourceNode.pubSub.client._clientId);
                sourceNode.pubSub.client.destroy();
              }
            }
          } catch (err) {
            (0, enterprise_maintenance_manager_1.dbgMaintenance)(`[CSlots]: Error during SMIGRATED handling for source ${sourceAddress}: ${err}`);
            sourceNode.client?._unpause();
            if ("pubSub" in sourceNode) {
              sourceNode.pubSub?.client._unpause();
            }
            for (const node of pausedDestNodes) {
              node.client?._unpause();
              node.pubSub?.client._unpause();
            }
            this.#emit("error", err);
          }
        }
      };
      async #getShards(rootNode) {
        const options = this.#clientOptionsDefaults(rootNode);
        options.socket ??= {};
        options.socket.reconnectStrategy = false;
        options.RESP = this.#options.RESP;
        options.commandOptions = void 0;
        options.maintNotifications = "disabled";
        const client = await this.#clientFactory(options).on("error", (err) => this.#emit("error", err)).connect();
        try {
          return await client.clusterSlots();
        } finally {
          client.destroy();
        }
      }
      #getNodeAddress(address) {
        switch (typeof this.#options.nodeAddressMap) {
          case "object":
            return this.#options.nodeAddressMap[address];
          case "function":
            return this.#options.nodeAddressMap(address);
        }
      }
      #nodeClientOptions(node) {
        return {
          socket: this.#getNodeAddress(node.address) ?? {
            host: node.host,
            port: node.port
          }
        };
      }
      #clientOptionsDefaults(options) {
        if (!this.#options.defaults)
          return options;
        let socket;
        if (this.#options.defaults.socket) {
          socket = {
            ...this.#options.defaults.socket,
            ...options?.socket
          };
        } else {
          socket = options?.socket;
        }
        return {
          ...this.#options.defaults,
          ...options,
          socket
        };
      }
      #initiateSlotNode(shard, readonly, eagerConnent, addressesInUse, promises) {
        const address = `${shard.host}:${shard.port}`;
        let node = this.nodeByAddress.get(address);
        if (!node) {
          node = {
            ...shard,
            address,
            readonly,
            client: void 0,
            connectPromise: void 0
          };
          if (eagerConnent) {
            promises.push(this.#createNodeClient(node));
          }
          this.nodeByAddress.set(address, node);
        }
        if (!addressesInUse.has(address)) {
          addressesInUse.add(address);
          (readonly ? this.replicas : this.masters).push(node);
        }
        return node;
      }
      #createClient(node, readonly = node.readonly) {
        const socket = this.#getNodeAddress(node.address) ?? { host: node.host, port: node.port };
        const clientInfo = Object.freeze({
          host: socket.host,
          port: socket.port
        });
        const address = node.address;
        const emit = this.#emit;
        let wasReady = false;
        const client = this.#clientFactory(this.#clientOptionsDefaults({
          clientSideCache: this.clientSideCache,
          himportRegistry: this.#himportRegistry,
          RESP: this.#options.RESP,
          socket,
          readonly
        }));
        client._setIdentity(identity_1.ClientRole.CLUSTER_NODE, this.#clusterClientId);
        client.on("error", (error) => emit("node-error", error, clientInfo)).on("reconnecting", () => {
          emit("node-reconnecting", clientInfo);
          if (!wasReady)
            return;
          this.#onNodeReconnectionAttempt(client._clientId, address);
        }).on("ready", () => {
          wasReady = true;
          this.#reconnectionTracker.removeClient(client._clientId);
        }).on("ready", () => emit("node-ready", clientInfo)).on("connect", () => emit("node-connect", clientInfo)).once("end", () => {
          this.#reconnectionTracker.removeClient(client._clientId);
          emit("node-disconnect", clientInfo);
        }).on(enterprise_maintenance_manager_1.SMIGRATED_EVENT, this.#handleSmigrated).on("__MOVED", async (allPubSubListeners) => {
          await this.rediscover(client);
          this.#emit(exports.RESUBSCRIBE_LISTENERS_EVENT, allPubSubListeners);
        });
        return client;
      }
      #createNodeClient(node, readonly) {
        const client = node.client = this.#createClient(node, readonly);
        return node.connectPromise = client.connect().catch((err) => {
          if (node.client === client)
            node.client = void 0;
          client.destroy();
          throw err;
        }).finally(() => node.connectPromise = void 0);
      }
      nodeClient(node) {
        if (node.connectPromise)
          return node.connectPromise;
        if (node.client)
          return Promise.resolve(node.client);
        return this.#createNodeClient(node);
      }
      #runningRediscoverPromise;
      async rediscover(startWith, excludedAddresses) {
        this.#runningRediscoverPromise ??= this.#rediscover(startWith, excludedAddresses).finally(() => {
          this.#runningRediscoverPromise = void 0;
        });
        return this.#runningRediscoverPromise;
      }
      async #rediscover(startWith, excludedAddresses) {
        if (startWith && await this.#discover(startWith.options))
          return;
        if (await this.#discoverWithKnownNodes(excludedAddresses))
          return;
        return this.#discoverWithRootNodes();
      }
      async #discoverWithKnownNodes(excludedAddresses) {
        const candidates = [];
        const deferredCandidates = [];
        const seen = /* @__PURE__ */ new Set();
        for (const nodes of [this.masters, this.replicas]) {
          for (const node of nodes) {
            if (excludedAddresses?.has(node.address) || seen.has(node.address))
              continue;
            seen.add(node.address);
            if (node.client?.isReady) {
              candidates.push(node);
            } else {
              deferredCandidates.push(node);
            }
          }
        }
        return await this.#discoverWithKnownNodeCandidates(candidates) || await this.#discoverWithKnownNodeCandidates(deferredCandidates);
      }
      async #discoverWithKnownNodeCandidates(candidates) {
        if (!candidates.length) {
          return false;
        }
        const start = Math.floor(Math.random() * candidates.length);
        for (let i = 0; i < candidates.length; i++) {
          if (!this.#isOpen) {
            continue;
          }
          const candidate = candidates[(start + i) % candidates.length];
          if (await this.#discover(this.#nodeClientOptions(candidate))) {
            return true;
          }
        }
        return false;
      }
      #onNodeReconnectionAttempt(clientId, address) {
        let shouldRefresh;
        try {
          shouldRefresh = this.#reconnectionTracker.onReconnectionAttempt(clientId, address);
        } catch (err) {
          this.#emit("error", err);
          return;
        }
        if (shouldRefresh) {
          this.#scheduleTopologyRefresh(this.#reconnectionTracker.reconnectingAddresses);
        }
      }
      #scheduleTopologyRefresh(excludedAddresses) {
        if (!this.#isOpen || this.#topologyRefreshPromise)
          return;
        this.#topologyRefreshPromise = this.rediscover(void 0, new Set(excludedAddresses)).catch((err) => this.#emit("error", err)).finally(() => {
          this.#topologyRefreshPromise = void 0;
        });
      }
      /**
       * @deprecated Use `close` instead.
       */
      quit() {
        return this.#destroy((client) => client.quit());
      }
      /**
       * @deprecated Use `destroy` instead.
       */
      disconnect() {
        return this.#destroy((client) => client.disconnect());
      }
      close() {
        return this.#destroy((client) => client.close());
      }
      destroy() {
        this.#isOpen = false;
        this.#isReady = false;
        for (const client of this.#clients()) {
          client.destroy();
        }
        if (this.pubSubNode) {
          this.pubSubNode.client.destroy();
          this.pubSubNode = void 0;
        }
        this.#resetSlots();
        this.nodeByAddress.clear();
        this.#reconnectionTracker.clear();
        this.#emit("disconnect");
      }
      *#clients() {
        for (const master of this.masters) {
          if (master.client) {
            yield master.client;
          }
          if (master.pubSub) {
            yield master.pubSub.client;
          }
        }
        for (const replica of this.replicas) {
          if (replica.client) {
            yield replica.client;
          }
        }
      }
      async #destroy(fn) {
        this.#isOpen = false;
        this.#isReady = false;
        const promises = [];
        for (const client of this.#clients()) {
          promises.push(fn(client));
        }
        if (this.pubSubNode) {
          promises.push(fn(this.pubSubNode.client));
          this.pubSubNode = void 0;
        }
        this.#resetSlots();
        this.nodeByAddress.clear();
        this.#reconnectionTracker.clear();
        await Promise.allSettled(promises);
        this.#emit("disconnect");
      }
      #assertReady() {
        if (!this.#isOpen) {
          throw new errors_1.ClientClosedError();
        }
        if (!this.#isReady) {
          throw new errors_1.ClientOfflineError();
        }
      }
      /**
       * All fan-out target nodes (masters + replicas), WITHOUT connecting. The
       * caller connects each node lazily in its own per-node promise so a single
       * failed connect rejects only that node's execution — letting reducers such
       * as `one_succeeded` still see the reachable shards — instead of a `Promise.all`
       * over the connects failing the whole route up front. Excludes the dedicated
       * PubSub connection (not in `masters`/`replicas`).
       */
      getAllNodes() {
        this.#assertReady();
        return [...this.masters, ...this.replicas];
      }
      /** Master fan-out target nodes, WITHOUT connecting (see {@link getAllNodes}). */
      getAllMasterNodes() {
        this.#assertReady();
        return this.masters;
      }
      async getClientAndSlotNumber(firstKey, isReadonly) {
        this.#assertReady();
        if (!firstKey) {
          return {
            client: await this.nodeClient(this.getRandomNode())
          };
        }
        const slotNumber = (0, calculate_slot_1.default)(firstKey);
        if (!isReadonly) {
          return {
            client: await this.nodeClient(this.slots[slotNumber].master),
            slotNumber
          };
        }
        return {
          client: await this.nodeClient(this.getSlotRandomNode(slotNumber)),
          slotNumber
        };
      }
      getClientForKey(key, isReadonly) {
        this.#assertReady();
        const slotNumber = (0, calculate_slot_1.default)(key);
        if (isReadonly) {
          return this.nodeClient(this.getSlotRandomNode(slotNumber));
        }
        return this.nodeClient(this.slots[slotNumber].master);
      }
      *#iterateAllNodes() {
        if (this.masters.length + this.replicas.length === 0)
          return;
        let i = Math.floor(Math.random() * (this.masters.length + this.replicas.length));
        if (i < this.masters.length) {
          do {
            yield this.masters[i];
          } while (++i < this.masters.length);
          for (const replica of this.replicas) {
            yield replica;
          }
        } else {
          i -= this.masters.length;
          do {
            yield this.replicas[i];
          } while (++i < this.replicas.length);
        }
        while (true) {
          for (const master of this.masters) {
            yield master;
          }
          for (const replica of this.replicas) {
            yield replica;
          }
        }
      }
      _randomNodeIterator;
      getRandomNode() {
        this.#assertReady();
        this._randomNodeIterator ??= this.#iterateAllNodes();
        return this._randomNodeIterator.next().value;
      }
      *#slotNodesIterator(slot) {
        let i = Math.floor(Math.random() * (1 + slot.replicas.length));
        if (i < slot.replicas.length) {
          do {
            yield slot.replicas[i];
          } while (++i < slot.replicas.length);
        }
        while (true) {
          yield slot.master;
          for (const replica of slot.replicas) {
            yield replica;
          }
        }
      }
      getSlotRandomNode(slotNumber) {
        const slot = this.slots[slotNumber];
        if (!slot.replicas?.length) {
          return slot.master;
        }
        slot.nodesIterator ??= this.#slotNodesIterator(slot);
        return slot.nodesIterator.next().value;
      }
      getMasterByAddress(address) {
        const master = this.nodeByAddress.get(address);
        if (!master)
          return;
        return this.nodeClient(master);
      }
      /**
       * Reverse-resolve a routed client to its node address. FT.AGGREGATE is
       * keyless, so the plan carries only the client; we need its address to bind
       * the cursor. Clients are few per cluster, so the linear scan is negligible.
       */
      nodeAddressByClient(client) {
        for (const [address, node] of this.nodeByAddress) {
          if (node.client === client)
            return address;
        }
        return void 0;
      }
      /**
       * Drop bindings idle past their MAXIDLE (or the default TTL). Opportunistic —
       * runs on each `bindCursor` so there's no timer to manage (see
       * `smigratedSeqIdsSeen`). Cheap: the map holds only live cursors.
       */
      #sweepStaleCursors(now) {
        for (const [key, binding] of this.cursorBindings) {
          const ttl = binding.maxIdleMs ?? DEFAULT_CURSOR_MAX_IDLE_MS;
          if (now - binding.createdAt > ttl) {
            this.cursorBindings.delete(key);
          }
        }
      }
      bindCursor(token, binding) {
        const now = Date.now();
        this.#sweepStaleCursors(now);
        this.cursorBindings.set(token, { ...binding, createdAt: now });
      }
      lookupCursor(token) {
        return this.cursorBindings.get(token);
      }
      evictCursor(token) {
        this.cursorBindings.delete(token);
      }
      /**
       * Mint a fresh virtual cursor token (cluster-wide SCAN chains, sticky FT
       * cursors). Tokens are what the client hands back to the caller in place of
       * the per-node server cursor: opaque, non-"0", never colliding with each
       * other. A plain counter keeps them valid-looking cursor values for callers
       * that treat the cursor as an opaque number.
       */
      mintCursorToken() {
        return String(++this.#cursorTokenSeq);
      }
      /**
       * Same opportunistic, timer-free sweep as `#sweepStaleCursors`: an abandoned
       * scan (caller stopped iterating mid-way) would otherwise leak its entry.
       */
      #sweepStaleScanCursors(now) {
        for (const [token, entry] of this.scanCursors) {
          if (now - entry.createdAt > DEFAULT_CURSOR_MAX_IDLE_MS) {
            this.scanCursors.delete(token);
          }
        }
      }
      bindScanCursor(token, address, cursor, visited, label) {
        const now = Date.now();
        this.#sweepStaleScanCursors(now);
        this.scanCursors.set(token, { address, cursor, visited, createdAt: now, label });
      }
      lookupScanCursor(token) {
        return this.scanCursors.get(token);
      }
      evictScanCursor(token) {
        this.scanCursors.delete(token);
      }
      /**
       * First master (in current topology order) whose address is not in
       * `visited` — the next node a cluster-wide SCAN chain should walk.
       */
      nextScanTarget(visited) {
        return this.masters.find((master) => !visited.has(master.address))?.address;
      }
      getPubSubClient() {
        this.#assertReady();
        if (!this.pubSubNode)
          return this.#initiatePubSubClient();
        return this.pubSubNode.connectPromise ?? Promise.resolve(this.pubSubNode.client);
      }
      async #initiatePubSubClient(toResubscribe) {
        const index = Math.floor(Math.random() * (this.masters.length + this.replicas.length)), node = index < this.masters.length ? this.masters[index] : this.replicas[index - this.masters.length], client = this.#createClient(node, false);
        this.pubSubNode = {
          address: node.address,
          client,
          connectPromise: client.connect().then(async (client2) => {
            if (toResubscribe) {
              await Promise.all([
                client2.extendPubSubListeners(pub_sub_1.PUBSUB_TYPE.CHANNELS, toResubscribe[pub_sub_1.PUBSUB_TYPE.CHANNELS]),
                client2.extendPubSubListeners(pub_sub_1.PUBSUB_TYPE.PATTERNS, toResubscribe[pub_sub_1.PUBSUB_TYPE.PATTERNS])
              ]);
            }
            this.pubSubNode.connectPromise = void 0;
            return client2;
          }).catch((err) => {
            this.pubSubNode = void 0;
            throw err;
          })
        };
        return this.pubSubNode.connectPromise;
      }
      async executeUnsubscribeCommand(unsubscribe) {
        const client = await this.getPubSubClient();
        await unsubscribe(client);
        if (!client.isPubSubActive) {
          this.#reconnectionTracker.removeClient(client._clientId);
          client.destroy();
          this.pubSubNode = void 0;
        }
      }
      getShardedPubSubClient(channel) {
        this.#assertReady();
        const { master } = this.slots[(0, calculate_slot_1.default)(channel)];
        if (!master.pubSub)
          return this.#initiateShardedPubSubClient(master);
        return master.pubSub.connectPromise ?? Promise.resolve(master.pubSub.client);
      }
      async #initiateShardedPubSubClient(master) {
        const client = this.#createClient(master, false);
        client.on("sharded-channel-moved", async (channel, listeners) => {
          try {
            await this.rediscover(client);
            const redirectTo = await this.getShardedPubSubClient(channel);
            await redirectTo.extendPubSubChannelListeners(pub_sub_1.PUBSUB_TYPE.SHARDED, channel, listeners);
          } catch (err) {
            this.#emit("sharded-channel-moved-error", err, channel, listeners);
          }
        });
        master.pubSub = {
          client,
          connectPromise: client.connect().then((client2) => {
            master.pubSub.connectPromise = void 0;
            return client2;
          }).catch((err) => {
            master.pubSub = void 0;
            throw err;
          })
        };
        return master.pubSub.connectPromise;
      }
      async executeShardedUnsubscribeCommand(channel, unsubscribe) {
        const { master } = this.slots[(0, calculate_slot_1.default)(channel)];
        if (!master.pubSub)
          return;
        const client = master.pubSub.connectPromise ? await master.pubSub.connectPromise : master.pubSub.client;
        await unsubscribe(client);
        if (!client.isPubSubActive) {
          this.#reconnectionTracker.removeClient(client._clientId);
          client.destroy();
          master.pubSub = void 0;
        }
      }
    };
    _a = RedisClusterSlots;
    exports.default = RedisClusterSlots;
  }
});

// dist/lib/cluster/multi-command.js
var require_multi_command3 = __commonJS({
  "dist/lib/cluster/multi-command.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    var commands_1 = require_commands();
    var multi_command_1 = __importDefault(require_multi_command());
    var commander_1 = require_commander();
    var parser_1 = require_parser();
    var command_metadata_1 = require_command_metadata();
    var RedisClusterMultiCommand = class _RedisClusterMultiCommand {
      static #createCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        let replicaSafe;
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this.#keyPrefix);
          command.parseCommand(parser, ...args);
          const redisArgs = parser.redisArgs;
          redisArgs.preserve = parser.preserve;
          const firstKey = parser.firstKey;
          replicaSafe ??= (0, command_metadata_1.isReplicaSafe)(command_metadata_1.defaultCommandMetadata.lookup(parser.commandIdentifier), command.IS_READ_ONLY);
          return this.addCommand(firstKey, replicaSafe, redisArgs, transformReply);
        };
      }
      static #createModuleCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        let replicaSafe;
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self.#keyPrefix);
          command.parseCommand(parser, ...args);
          const redisArgs = parser.redisArgs;
          redisArgs.preserve = parser.preserve;
          const firstKey = parser.firstKey;
          replicaSafe ??= (0, command_metadata_1.isReplicaSafe)(command_metadata_1.defaultCommandMetadata.lookup(parser.commandIdentifier), command.IS_READ_ONLY);
          return this._self.addCommand(firstKey, replicaSafe, redisArgs, transformReply);
        };
      }
      static #createFunctionCommand(name, fn, resp) {
        const prefix = (0, commander_1.functionArgumentsPrefix)(name, fn);
        const transformReply = (0, commander_1.getTransformReply)(fn, resp);
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self.#keyPrefix);
          parser.push(...prefix);
          fn.parseCommand(parser, ...args);
          const redisArgs = parser.redisArgs;
          redisArgs.preserve = parser.preserve;
          const firstKey = parser.firstKey;
          return this._self.addCommand(firstKey, fn.IS_READ_ONLY, redisArgs, transformReply);
        };
      }
      static #createScriptCommand(script, resp) {
        const transformReply = (0, commander_1.getTransformReply)(script, resp);
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this.#keyPrefix);
          script.parseCommand(parser, ...args);
          const scriptArgs = parser.redisArgs;
          scriptArgs.preserve = parser.preserve;
          const firstKey = parser.firstKey;
          return this.#addScript(firstKey, script.IS_READ_ONLY, script, scriptArgs, transformReply);
        };
      }
      static extend(config) {
        return (0, commander_1.attachConfig)({
          BaseClass: _RedisClusterMultiCommand,
          commands: commands_1.NON_STICKY_COMMANDS,
          createCommand: _RedisClusterMultiCommand.#createCommand,
          createModuleCommand: _RedisClusterMultiCommand.#createModuleCommand,
          createFunctionCommand: _RedisClusterMultiCommand.#createFunctionCommand,
          createScriptCommand: _RedisClusterMultiCommand.#createScriptCommand,
          config
        });
      }
      #multi;
      #executeMulti;
      #executePipeline;
      #firstKey;
      #isReadonly = true;
      #keyPrefix;
      constructor(executeMulti, executePipeline, routing, typeMapping, keyPrefix) {
        this.#multi = new multi_command_1.default(typeMapping);
        this.#executeMulti = executeMulti;
        this.#executePipeline = executePipeline;
        this.#firstKey = routing === void 0 ? void 0 : (0, parser_1.prefixKey)(keyPrefix, routing);
        this.#keyPrefix = keyPrefix;
      }
      #setState(firstKey, isReadonly) {
        this.#firstKey ??= firstKey;
        this.#isReadonly &&= isReadonly;
      }
      addCommand(firstKey, isReadonly, args, transformReply) {
        this.#setState(firstKey, isReadonly);
        this.#multi.addCommand(args, transformReply);
        return this;
      }
      #addScript(firstKey, isReadonly, script, args, transformReply) {
        this.#setState(firstKey, isReadonly);
        this.#multi.addScript(script, args, transformReply);
        return this;
      }
      async exec(execAsPipeline = false) {
        if (execAsPipeline)
          return this.execAsPipeline();
        return this.#multi.transformReplies(await this.#executeMulti(this.#firstKey, this.#isReadonly, this.#multi.queue));
      }
      EXEC = this.exec;
      execTyped(execAsPipeline = false) {
        return this.exec(execAsPipeline);
      }
      async execAsPipeline() {
        if (this.#multi.queue.length === 0)
          return [];
        return this.#multi.transformReplies(await this.#executePipeline(this.#firstKey, this.#isReadonly, this.#multi.queue));
      }
      execAsPipelineTyped() {
        return this.execAsPipeline();
      }
      /**
       * Adds a raw command to the multi/pipeline queue.
       *
       * Note: Using this method breaks the type inference for `execTyped` and
       * `execAsPipelineTyped`. This is a known limitation and will be addressed
       * in the future.
       */
      sendCommand(args, options) {
        const redisArgs = args.slice();
        this.addCommand(options?.firstKey, options?.isReadonly, redisArgs);
        return this;
      }
    };
    exports.default = RedisClusterMultiCommand;
  }
});

// dist/lib/cluster/request-response-policies/multi-shard-splitter.js
var require_multi_shard_splitter = __commonJS({
  "dist/lib/cluster/request-response-policies/multi-shard-splitter.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.splitMultiShardCommand = void 0;
    var calculate_slot_1 = __importDefault(require_calculate_slot());
    function splitMultiShardCommand(args, keySpecs) {
      const label = args.length > 0 ? args[0].toString() : "<empty>";
      if (!keySpecs || keySpecs.length === 0) {
        throw new Error(`Cannot split ${label}: command has no key specification`);
      }
      if (keySpecs.length > 1) {
        throw new Error(`Cannot split ${label}: multiple key specifications are not supported`);
      }
      const { beginSearch, findKeys } = keySpecs[0];
      if (beginSearch.type !== "index") {
        throw new Error(`Cannot split ${label}: unsupported begin_search type '${beginSearch.type}'`);
      }
      const start = beginSearch.index;
      let keyRegionStart;
      let keyRegionEnd;
      let keyStep;
      let keyNumIdx;
      switch (findKeys.type) {
        case "range": {
          if (findKeys.lastKey !== -1 || findKeys.limit !== 0) {
            throw new Error(`Cannot split ${label}: unsupported find_keys range (lastkey ${findKeys.lastKey}, limit ${findKeys.limit})`);
          }
          keyStep = findKeys.keyStep;
          keyRegionStart = start;
          keyRegionEnd = args.length;
          break;
        }
        case "keynum": {
          keyStep = findKeys.keyStep;
          keyNumIdx = start + findKeys.keyNumIdx;
          keyRegionStart = start + findKeys.firstKey;
          if (keyNumIdx >= keyRegionStart) {
            throw new Error(`Cannot split ${label}: numkeys argument inside the key region`);
          }
          const numKeys = parsePositiveInteger(args[keyNumIdx]);
          if (numKeys === void 0) {
            throw new Error(`Cannot split ${label}: malformed numkeys argument '${args[keyNumIdx]}'`);
          }
          keyRegionEnd = keyRegionStart + numKeys * keyStep;
          break;
        }
        default:
          throw new Error(`Cannot split ${label}: unsupported find_keys type '${findKeys.type}'`);
      }
      if (keyStep < 1) {
        throw new Error(`Cannot split ${label}: invalid keystep ${keyStep}`);
      }
      if (keyRegionStart < 1 || keyRegionEnd > args.length) {
        throw new Error(`Cannot split ${label}: key region overruns the arguments`);
      }
      const regionLength = keyRegionEnd - keyRegionStart;
      if (regionLength <= 0 || regionLength % keyStep !== 0) {
        throw new Error(`Cannot split ${label}: key region does not align with keystep ${keyStep}`);
      }
      const groupCount = regionLength / keyStep;
      const slotGroups = /* @__PURE__ */ new Map();
      for (let group = 0; group < groupCount; group++) {
        const slot = (0, calculate_slot_1.default)(args[keyRegionStart + group * keyStep]);
        const groups = slotGroups.get(slot);
        if (groups) {
          groups.push(group);
        } else {
          slotGroups.set(slot, [group]);
        }
      }
      const subCommands = /* @__PURE__ */ new Map();
      if (slotGroups.size === 1) {
        const [[slot, groupIndices]] = slotGroups;
        const keyPositions = groupIndices.map((group) => keyRegionStart + group * keyStep);
        subCommands.set(slot, { args: [...args], groupIndices, keyPositions });
        return subCommands;
      }
      const suffix = args.slice(keyRegionEnd);
      for (const [slot, groupIndices] of slotGroups) {
        const subArgs = args.slice(0, keyRegionStart);
        if (keyNumIdx !== void 0) {
          subArgs[keyNumIdx] = groupIndices.length.toString();
        }
        const keyPositions = [];
        groupIndices.forEach((group, j) => {
          keyPositions.push(keyRegionStart + j * keyStep);
          const groupStart = keyRegionStart + group * keyStep;
          for (let i = 0; i < keyStep; i++) {
            subArgs.push(args[groupStart + i]);
          }
        });
        subArgs.push(...suffix);
        subCommands.set(slot, { args: subArgs, groupIndices, keyPositions });
      }
      return subCommands;
    }
    exports.splitMultiShardCommand = splitMultiShardCommand;
    function parsePositiveInteger(arg) {
      if (arg === void 0)
        return void 0;
      const value = Number(arg.toString());
      return Number.isInteger(value) && value > 0 ? value : void 0;
    }
  }
});

// dist/lib/cluster/request-response-policies/generic-aggregators.js
var require_generic_aggregators = __commonJS({
  "dist/lib/cluster/request-response-policies/generic-aggregators.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.aggregateMerge = exports.aggregateSum = exports.aggregateMax = exports.aggregateMin = exports.aggregateLogicalOr = exports.aggregateLogicalAnd = void 0;
    var aggregateLogicalAnd = (replies) => {
      if (replies.length === 0)
        return [];
      if (!replies.every((reply) => Array.isArray(reply) && reply.every((value) => typeof value === "number"))) {
        throw new Error("All replies must be array of numbers for logical AND aggregation");
      }
      const result = Array(replies[0].length).fill(1);
      for (const reply of replies) {
        for (let i = 0; i < reply.length; i++) {
          result[i] = result[i] && reply[i] ? 1 : 0;
        }
      }
      return result;
    };
    exports.aggregateLogicalAnd = aggregateLogicalAnd;
    var aggregateLogicalOr = (replies) => {
      if (replies.length === 0)
        return [];
      if (!replies.every((reply) => Array.isArray(reply) && reply.every((value) => typeof value === "number"))) {
        throw new Error("All replies must be array of numbers for logical OR aggregation");
      }
      const result = Array(replies[0].length).fill(0);
      for (const reply of replies) {
        for (let i = 0; i < reply.length; i++) {
          result[i] = result[i] || reply[i] ? 1 : 0;
        }
      }
      return result;
    };
    exports.aggregateLogicalOr = aggregateLogicalOr;
    var aggregateElementwise = (replies, reduce, label) => {
      const length = replies[0].length;
      if (!replies.every((reply) => Array.isArray(reply) && reply.length === length && reply.every((value) => typeof value === "number"))) {
        throw new Error(`All replies must be number arrays of equal length for ${label} aggregation`);
      }
      const result = replies[0].slice();
      for (let r = 1; r < replies.length; r++) {
        const reply = replies[r];
        for (let i = 0; i < length; i++) {
          result[i] = reduce(result[i], reply[i]);
        }
      }
      return result;
    };
    var aggregateMin = (replies) => {
      if (replies.length === 0)
        return 0;
      if (Array.isArray(replies[0])) {
        return aggregateElementwise(replies, Math.min, "min");
      }
      if (!replies.every((reply) => typeof reply === "number")) {
        throw new Error("All replies must be numbers for min aggregation");
      }
      return Math.min(...replies);
    };
    exports.aggregateMin = aggregateMin;
    var aggregateMax = (replies) => {
      if (replies.length === 0)
        return 0;
      if (Array.isArray(replies[0])) {
        return aggregateElementwise(replies, Math.max, "max");
      }
      if (!replies.every((reply) => typeof reply === "number")) {
        throw new Error("All replies must be numbers for max aggregation");
      }
      return Math.max(...replies);
    };
    exports.aggregateMax = aggregateMax;
    var aggregateSum = (replies) => {
      if (replies.length === 0)
        return 0;
      if (!replies.every((reply) => typeof reply === "number")) {
        throw new Error("All replies must be numbers for sum aggregation");
      }
      return replies.reduce((acc, reply) => acc + reply, 0);
    };
    exports.aggregateSum = aggregateSum;
    var aggregateMerge = (replies) => {
      if (replies.length === 0)
        return void 0;
      const firstReply = replies[0];
      if (Array.isArray(firstReply)) {
        const set = /* @__PURE__ */ new Set();
        for (const reply of replies) {
          for (const item of reply) {
            set.add(item);
          }
        }
        return Array.from(set);
      }
      if (firstReply instanceof Map) {
        const map = /* @__PURE__ */ new Map();
        for (const reply of replies) {
          for (const [key, value] of reply) {
            map.set(key, value);
          }
        }
        return map;
      }
      if (typeof firstReply === "object" && firstReply !== null) {
        const merged = {};
        for (const reply of replies) {
          Object.assign(merged, reply);
        }
        return merged;
      }
      throw new Error("Unsupported reply type for merge aggregation");
    };
    exports.aggregateMerge = aggregateMerge;
  }
});

// dist/lib/cluster/request-response-policies/ft-cursor.js
var require_ft_cursor = __commonJS({
  "dist/lib/cluster/request-response-policies/ft-cursor.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.finalizeFtCursor = exports.routeFtCursor = exports.extractCursorValue = exports.upperCommand = exports.argToString = void 0;
    var parser_1 = require_parser();
    function argToString(arg) {
      return typeof arg === "string" ? arg : arg.toString();
    }
    exports.argToString = argToString;
    function upperCommand(parser) {
      return parser.commandIdentifier.command.toUpperCase();
    }
    exports.upperCommand = upperCommand;
    function extractCursorValue(reply) {
      if (reply == null)
        return void 0;
      if (reply instanceof Map) {
        return reply.has("cursor") ? asCursorValue(reply.get("cursor")) : void 0;
      }
      if (Array.isArray(reply)) {
        return asCursorValue(reply[1]);
      }
      if (typeof reply === "object" && "cursor" in reply) {
        return asCursorValue(reply.cursor);
      }
      return void 0;
    }
    exports.extractCursorValue = extractCursorValue;
    function asCursorValue(value) {
      if (typeof value === "number" || typeof value === "string")
        return value;
      return void 0;
    }
    function isExhausted(cursor) {
      return cursor === 0 || cursor === "0";
    }
    function maxIdleFromAggregateArgs(redisArgs) {
      for (let i = 0; i < redisArgs.length - 1; i++) {
        if (argToString(redisArgs[i]).toUpperCase() === "MAXIDLE") {
          const n = Number(argToString(redisArgs[i + 1]));
          return Number.isNaN(n) || n <= 0 ? void 0 : n;
        }
      }
      return void 0;
    }
    var routeFtCursor = async (slots, parser) => {
      const { redisArgs } = parser;
      if (redisArgs.length < 4) {
        return [{ client: await slots.nodeClient(slots.getRandomNode()) }];
      }
      const token = argToString(redisArgs[3]);
      const binding = slots.lookupCursor(token);
      if (binding) {
        const client = await slots.getMasterByAddress(binding.address);
        if (client)
          return [{ client, parser: withCursorArg(parser, binding.cursorId) }];
        throw new Error(`FT.CURSOR: the node serving cursor ${token} on index "${argToString(redisArgs[2])}" has left the cluster.`);
      }
      throw new Error(`FT.CURSOR: unknown cursor ${token} on index "${argToString(redisArgs[2])}". Cluster cursors are minted per client instance and expire when idle \u2014 the cursor was not created by this client, has already been exhausted, or has expired.`);
    };
    exports.routeFtCursor = routeFtCursor;
    function withCursorArg(parser, cursorId) {
      const sub = new parser_1.BasicCommandParser();
      const { redisArgs } = parser;
      for (let i = 0; i < redisArgs.length; i++) {
        sub.push(i === 3 ? cursorId : redisArgs[i]);
      }
      return sub;
    }
    function finalizeFtCursor(slots, parser, plan, reply) {
      const cmd = upperCommand(parser);
      if (cmd !== "FT.AGGREGATE" && cmd !== "FT.CURSOR")
        return reply;
      if (plan.length !== 1)
        return reply;
      const { redisArgs } = parser;
      if (cmd === "FT.AGGREGATE") {
        const cursor = extractCursorValue(reply);
        if (cursor === void 0 || isExhausted(cursor))
          return reply;
        const client = plan[0].client;
        if (!client)
          return reply;
        const address = slots.nodeAddressByClient(client);
        if (!address)
          return reply;
        const token2 = slots.mintCursorToken();
        slots.bindCursor(token2, {
          address,
          cursorId: argToString(cursor),
          maxIdleMs: maxIdleFromAggregateArgs(redisArgs)
        });
        return withReplyCursor(reply, token2, cursor);
      }
      const { subcommand } = parser.commandIdentifier;
      const sub = subcommand === void 0 ? void 0 : subcommand.toUpperCase();
      const token = argToString(redisArgs[3]);
      if (sub === "DEL") {
        slots.evictCursor(token);
        return reply;
      }
      if (sub === "READ") {
        const binding = slots.lookupCursor(token);
        if (!binding)
          return reply;
        const next = extractCursorValue(reply);
        if (next === void 0 || isExhausted(next)) {
          slots.evictCursor(token);
          return reply;
        }
        slots.bindCursor(token, {
          address: binding.address,
          cursorId: argToString(next),
          maxIdleMs: binding.maxIdleMs
        });
        return withReplyCursor(reply, token, next);
      }
      return reply;
    }
    exports.finalizeFtCursor = finalizeFtCursor;
    function withReplyCursor(reply, token, original) {
      const cursor = typeof original === "number" ? Number(token) : token;
      if (reply instanceof Map) {
        const copy = new Map(reply);
        copy.set("cursor", cursor);
        return copy;
      }
      if (Array.isArray(reply)) {
        const copy = reply.slice();
        copy[1] = cursor;
        return copy;
      }
      return { ...reply, cursor };
    }
  }
});

// dist/lib/cluster/request-response-policies/scan-cursor.js
var require_scan_cursor = __commonJS({
  "dist/lib/cluster/request-response-policies/scan-cursor.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.finalizeScanCursor = exports.routeScan = void 0;
    var parser_1 = require_parser();
    var ft_cursor_1 = require_ft_cursor();
    var SCAN_CURSOR_ARG_INDEX = /* @__PURE__ */ new Map([
      ["SCAN", 1],
      ["BLESS SCAN", 2]
    ]);
    function resolveScanCommand(parser) {
      const command = (0, ft_cursor_1.upperCommand)(parser);
      const { subcommand } = parser.commandIdentifier;
      if (subcommand !== void 0) {
        const label = `${command} ${subcommand.toUpperCase()}`;
        const cursorIndex2 = SCAN_CURSOR_ARG_INDEX.get(label);
        if (cursorIndex2 !== void 0)
          return { label, cursorIndex: cursorIndex2 };
      }
      const cursorIndex = SCAN_CURSOR_ARG_INDEX.get(command);
      return cursorIndex === void 0 ? void 0 : { label: command, cursorIndex };
    }
    var routeScan = async (slots, parser) => {
      const resolved = resolveScanCommand(parser);
      if (!resolved)
        return [{ client: await slots.nodeClient(slots.getRandomNode()) }];
      const { label, cursorIndex } = resolved;
      if (parser.redisArgs.length <= cursorIndex) {
        return [{ client: await slots.nodeClient(slots.getRandomNode()) }];
      }
      const cursorArg = (0, ft_cursor_1.argToString)(parser.redisArgs[cursorIndex]);
      if (cursorArg === "0") {
        const address = slots.nextScanTarget(EMPTY_VISITED);
        if (!address)
          throw new Error(`${label}: no master nodes available`);
        return [{ client: await pinnedMaster(slots, address, label) }];
      }
      const entry = slots.lookupScanCursor(cursorArg);
      if (!entry || entry.label !== label) {
        throw new Error(`${label}: unknown cursor "${cursorArg}". Cluster-wide ${label} cursors are minted per client instance and expire when idle \u2014 restart the scan from 0.`);
      }
      return [{
        client: await pinnedMaster(slots, entry.address, label),
        parser: withCursor(parser, cursorIndex, entry.cursor)
      }];
    };
    exports.routeScan = routeScan;
    var EMPTY_VISITED = /* @__PURE__ */ new Set();
    async function pinnedMaster(slots, address, label) {
      const client = await slots.getMasterByAddress(address);
      if (!client) {
        throw new Error(`${label}: node ${address} serving this cursor has left the cluster \u2014 restart the scan from 0.`);
      }
      return client;
    }
    function withCursor(parser, cursorIndex, cursor) {
      const sub = new parser_1.BasicCommandParser();
      const { redisArgs } = parser;
      for (let i = 0; i < redisArgs.length; i++) {
        sub.push(i === cursorIndex ? cursor : redisArgs[i]);
      }
      return sub;
    }
    function finalizeScanCursor(slots, parser, plan, reply) {
      const resolved = resolveScanCommand(parser);
      if (!resolved)
        return reply;
      const { label, cursorIndex } = resolved;
      if (plan.length !== 1 || !plan[0].client)
        return reply;
      const serverCursor = extractScanCursor(reply);
      if (serverCursor === void 0)
        return reply;
      const address = slots.nodeAddressByClient(plan[0].client);
      if (!address)
        return reply;
      const callerCursor = (0, ft_cursor_1.argToString)(parser.redisArgs[cursorIndex]);
      const chain = callerCursor === "0" ? void 0 : slots.lookupScanCursor(callerCursor);
      const visited = chain?.label === label ? chain.visited : /* @__PURE__ */ new Set();
      if ((0, ft_cursor_1.argToString)(serverCursor) !== "0") {
        const token2 = callerCursor === "0" ? slots.mintCursorToken() : callerCursor;
        slots.bindScanCursor(token2, address, (0, ft_cursor_1.argToString)(serverCursor), visited, label);
        return withReplyCursor(reply, token2, serverCursor);
      }
      visited.add(address);
      const next = slots.nextScanTarget(visited);
      if (!next) {
        if (callerCursor !== "0")
          slots.evictScanCursor(callerCursor);
        return reply;
      }
      const token = callerCursor === "0" ? slots.mintCursorToken() : callerCursor;
      slots.bindScanCursor(token, next, "0", visited, label);
      return withReplyCursor(reply, token, serverCursor);
    }
    exports.finalizeScanCursor = finalizeScanCursor;
    function extractScanCursor(reply) {
      if (reply == null)
        return void 0;
      if (Array.isArray(reply)) {
        return isCursorValue(reply[0]) ? reply[0] : void 0;
      }
      if (typeof reply === "object" && "cursor" in reply) {
        const cursor = reply.cursor;
        return isCursorValue(cursor) ? cursor : void 0;
      }
      return void 0;
    }
    function isCursorValue(value) {
      return typeof value === "string" || value instanceof Buffer;
    }
    function withReplyCursor(reply, token, original) {
      const cursor = original instanceof Buffer ? Buffer.from(token) : token;
      if (Array.isArray(reply)) {
        const copy = reply.slice();
        copy[0] = cursor;
        return copy;
      }
      return { ...reply, cursor };
    }
  }
});

// dist/lib/cluster/request-response-policies/dispatch.js
var require_dispatch = __commonJS({
  "dist/lib/cluster/request-response-policies/dispatch.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.RESPONSE_REDUCERS = exports.REQUEST_ROUTERS = exports.remapAggregateReply = exports.NUMERIC_AGG_POLICIES = exports.reduceDefaultKeyed = exports.reduceDefaultKeyless = exports.reduceSpecial = exports.SPECIAL_RESPONSE_REDUCERS = exports.reduceRandomKey = exports.reduceSum = exports.reduceMax = exports.reduceMin = exports.reduceLogicalOr = exports.reduceLogicalAnd = exports.reduceAllSucceeded = exports.reduceOneSucceeded = exports.routeSpecial = exports.SPECIAL_REQUEST_ROUTERS = exports.routeDefaultKeyed = exports.routeDefaultKeyless = exports.routeMultiShard = exports.routeAllShards = exports.routeAllNodes = void 0;
    var parser_1 = require_parser();
    var decoder_1 = require_decoder();
    var multi_shard_splitter_1 = require_multi_shard_splitter();
    var generic_aggregators_1 = require_generic_aggregators();
    var policies_constants_1 = require_policies_constants();
    var ft_cursor_1 = require_ft_cursor();
    var scan_cursor_1 = require_scan_cursor();
    var routeAllNodes = async (slots) => slots.getAllNodes().map((node) => ({ getClient: () => slots.nodeClient(node) }));
    exports.routeAllNodes = routeAllNodes;
    var routeAllShards = async (slots) => slots.getAllMasterNodes().map((node) => ({ getClient: () => slots.nodeClient(node) }));
    exports.routeAllShards = routeAllShards;
    var routeMultiShard = async (_slots, parser, _isReadonly, keySpecs) => {
      const subCommands = (0, multi_shard_splitter_1.splitMultiShardCommand)(parser.redisArgs, keySpecs);
      return Array.from(subCommands.values(), (sub) => ({
        parser: buildSubParser(sub),
        groupIndices: sub.groupIndices
      }));
    };
    exports.routeMultiShard = routeMultiShard;
    function buildSubParser(sub) {
      const parser = new parser_1.BasicCommandParser();
      const keyPositions = new Set(sub.keyPositions);
      for (let i = 0; i < sub.args.length; i++) {
        const arg = sub.args[i];
        if (keyPositions.has(i)) {
          parser.pushKey(arg);
        } else {
          parser.push(arg);
        }
      }
      return parser;
    }
    var routeDefaultKeyless = async (slots) => [{ client: await slots.nodeClient(slots.getRandomNode()) }];
    exports.routeDefaultKeyless = routeDefaultKeyless;
    var routeDefaultKeyed = async (slots, parser, isReadonly) => [{ client: (await slots.getClientAndSlotNumber(parser.firstKey, isReadonly)).client }];
    exports.routeDefaultKeyed = routeDefaultKeyed;
    function specialKey(parser) {
      const { subcommand } = parser.commandIdentifier;
      const c = (0, ft_cursor_1.upperCommand)(parser);
      return subcommand ? `${c} ${subcommand.toUpperCase()}` : c;
    }
    exports.SPECIAL_REQUEST_ROUTERS = {
      "FT.CURSOR READ": ft_cursor_1.routeFtCursor,
      "FT.CURSOR DEL": ft_cursor_1.routeFtCursor,
      "BLESS SCAN": scan_cursor_1.routeScan,
      SCAN: scan_cursor_1.routeScan
    };
    var routeSpecial = async (slots, parser, isReadonly, keySpecs) => {
      const handler = exports.SPECIAL_REQUEST_ROUTERS[specialKey(parser)] ?? exports.SPECIAL_REQUEST_ROUTERS[parser.commandIdentifier.command.toUpperCase()];
      if (handler)
        return handler(slots, parser, isReadonly, keySpecs);
      console.warn(`node-redis: no cluster routing implemented for the "special" request policy of "${specialKey(parser)}"; routing to a single node. The reply may be incomplete.`);
      return [{ client: await slots.nodeClient(slots.getRandomNode()) }];
    };
    exports.routeSpecial = routeSpecial;
    var reduceOneSucceeded = async (promises) => {
      try {
        return await Promise.any(promises);
      } catch (err) {
        if (err instanceof AggregateError && err.errors.length > 0)
          throw err.errors[0];
        throw err;
      }
    };
    exports.reduceOneSucceeded = reduceOneSucceeded;
    var reduceAllSucceeded = async (promises) => {
      const responses = await Promise.all(promises);
      return responses[0];
    };
    exports.reduceAllSucceeded = reduceAllSucceeded;
    var reduceWith = (aggregate) => async (promises) => aggregate(await Promise.all(promises));
    exports.reduceLogicalAnd = reduceWith(generic_aggregators_1.aggregateLogicalAnd);
    exports.reduceLogicalOr = reduceWith(generic_aggregators_1.aggregateLogicalOr);
    exports.reduceMin = reduceWith(generic_aggregators_1.aggregateMin);
    exports.reduceMax = reduceWith(generic_aggregators_1.aggregateMax);
    exports.reduceSum = reduceWith(generic_aggregators_1.aggregateSum);
    var reduceRandomKey = async (promises) => {
      const responses = await Promise.all(promises);
      const keys = responses.filter((reply) => reply != null);
      if (keys.length === 0)
        return responses[0];
      return keys[Math.floor(Math.random() * keys.length)];
    };
    exports.reduceRandomKey = reduceRandomKey;
    exports.SPECIAL_RESPONSE_REDUCERS = {
      RANDOMKEY: exports.reduceRandomKey
    };
    var reduceSpecial = async (promises, parser) => {
      const reducer = exports.SPECIAL_RESPONSE_REDUCERS[specialKey(parser)] ?? exports.SPECIAL_RESPONSE_REDUCERS[parser.commandIdentifier.command.toUpperCase()];
      if (reducer)
        return reducer(promises, parser);
      if (promises.length > 1) {
        console.warn(`node-redis: no cluster aggregation implemented for the "special" response policy of "${specialKey(parser)}"; merging replies from ${promises.length} nodes. The result shape may be wrong.`);
      }
      return (0, exports.reduceDefaultKeyless)(promises);
    };
    exports.reduceSpecial = reduceSpecial;
    var reduceDefaultKeyless = async (promises) => {
      const responses = await Promise.all(promises);
      if (responses.length === 1)
        return responses[0];
      return (0, generic_aggregators_1.aggregateMerge)(responses);
    };
    exports.reduceDefaultKeyless = reduceDefaultKeyless;
    var reduceDefaultKeyed = async (promises, _parser, positionHints) => {
      const responses = await Promise.all(promises);
      if (!positionHints?.some((hint) => hint !== void 0)) {
        return responses[0];
      }
      const result = [];
      responses.forEach((reply, p) => {
        const indices = positionHints[p];
        if (!indices) {
          throw new Error("default-keyed reducer: split reply missing position hints");
        }
        const elements = reply;
        indices.forEach((groupIndex, i) => {
          result[groupIndex] = elements[i];
        });
      });
      return result;
    };
    exports.reduceDefaultKeyed = reduceDefaultKeyed;
    exports.NUMERIC_AGG_POLICIES = /* @__PURE__ */ new Set([
      policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.AGG_SUM,
      policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.AGG_MIN,
      policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.AGG_MAX,
      policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.AGG_LOGICAL_AND,
      policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.AGG_LOGICAL_OR
    ]);
    function remapAggregateReply(reply, typeMapping) {
      const map = typeMapping?.[decoder_1.RESP_TYPES.NUMBER];
      if (!map || map === Number)
        return reply;
      const apply = map;
      return Array.isArray(reply) ? reply.map((value) => apply(value)) : apply(reply);
    }
    exports.remapAggregateReply = remapAggregateReply;
    exports.REQUEST_ROUTERS = {
      [policies_constants_1.REQUEST_POLICIES_WITH_DEFAULTS.ALL_NODES]: exports.routeAllNodes,
      [policies_constants_1.REQUEST_POLICIES_WITH_DEFAULTS.ALL_SHARDS]: exports.routeAllShards,
      [policies_constants_1.REQUEST_POLICIES_WITH_DEFAULTS.MULTI_SHARD]: exports.routeMultiShard,
      [policies_constants_1.REQUEST_POLICIES_WITH_DEFAULTS.SPECIAL]: exports.routeSpecial,
      [policies_constants_1.REQUEST_POLICIES_WITH_DEFAULTS.DEFAULT_KEYLESS]: exports.routeDefaultKeyless,
      [policies_constants_1.REQUEST_POLICIES_WITH_DEFAULTS.DEFAULT_KEYED]: exports.routeDefaultKeyed
    };
    exports.RESPONSE_REDUCERS = {
      [policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.ONE_SUCCEEDED]: exports.reduceOneSucceeded,
      [policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.ALL_SUCCEEDED]: exports.reduceAllSucceeded,
      [policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.AGG_LOGICAL_AND]: exports.reduceLogicalAnd,
      [policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.AGG_LOGICAL_OR]: exports.reduceLogicalOr,
      [policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.AGG_MIN]: exports.reduceMin,
      [policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.AGG_MAX]: exports.reduceMax,
      [policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.AGG_SUM]: exports.reduceSum,
      [policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.SPECIAL]: exports.reduceSpecial,
      [policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.DEFAULT_KEYLESS]: exports.reduceDefaultKeyless,
      [policies_constants_1.RESPONSE_POLICIES_WITH_DEFAULTS.DEFAULT_KEYED]: exports.reduceDefaultKeyed
    };
  }
});

// dist/lib/cluster/index.js
var require_cluster = __commonJS({
  "dist/lib/cluster/index.js"(exports) {
    "use strict";
    var __createBinding = exports && exports.__createBinding || (Object.create ? (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      var desc = Object.getOwnPropertyDescriptor(m, k);
      if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
        desc = { enumerable: true, get: function() {
          return m[k];
        } };
      }
      Object.defineProperty(o, k2, desc);
    }) : (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      o[k2] = m[k];
    }));
    var __setModuleDefault = exports && exports.__setModuleDefault || (Object.create ? (function(o, v) {
      Object.defineProperty(o, "default", { enumerable: true, value: v });
    }) : function(o, v) {
      o["default"] = v;
    });
    var __importStar = exports && exports.__importStar || function(mod) {
      if (mod && mod.__esModule) return mod;
      var result = {};
      if (mod != null) {
        for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
      }
      __setModuleDefault(result, mod);
      return result;
    };
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    var commands_1 = require_commands();
    var node_events_1 = __require("node:events");
    var commander_1 = require_commander();
    var cluster_slots_1 = __importStar(require_cluster_slots());
    var multi_command_1 = __importDefault(require_multi_command3());
    var errors_1 = require_errors();
    var parser_1 = require_parser();
    var ASKING_1 = require_ASKING();
    var single_entry_cache_1 = __importDefault(require_single_entry_cache());
    var tracing_1 = require_tracing();
    var identity_1 = require_identity();
    var defaults_1 = require_defaults();
    var command_metadata_1 = require_command_metadata();
    var dispatch_1 = require_dispatch();
    var calculate_slot_1 = __importDefault(require_calculate_slot());
    var ft_cursor_1 = require_ft_cursor();
    var scan_cursor_1 = require_scan_cursor();
    var RedisCluster = class _RedisCluster extends node_events_1.EventEmitter {
      static #createCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          command.parseCommand(parser, ...args);
          return this._self._executeWithPolicies(parser, command.IS_READ_ONLY, this._commandOptions, (p) => (client, opts) => client._executeCommand(command, p, opts, transformReply));
        };
      }
      static #createModuleCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          command.parseCommand(parser, ...args);
          return this._self._executeWithPolicies(parser, command.IS_READ_ONLY, this._self._commandOptions, (p) => (client, opts) => client._executeCommand(command, p, opts, transformReply));
        };
      }
      static #createFunctionCommand(name, fn, resp) {
        const prefix = (0, commander_1.functionArgumentsPrefix)(name, fn);
        const transformReply = (0, commander_1.getTransformReply)(fn, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          parser.push(...prefix);
          fn.parseCommand(parser, ...args);
          return this._self._executeWithPolicies(parser, fn.IS_READ_ONLY, this._self._commandOptions, (p) => (client, opts) => client._executeCommand(fn, p, opts, transformReply));
        };
      }
      static #createScriptCommand(script, resp) {
        const prefix = (0, commander_1.scriptArgumentsPrefix)(script);
        const transformReply = (0, commander_1.getTransformReply)(script, resp);
        return async function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
          parser.push(...prefix);
          script.parseCommand(parser, ...args);
          return this._self._executeWithPolicies(parser, script.IS_READ_ONLY, this._commandOptions, (p) => (client, opts) => client._executeScript(script, p, opts, transformReply));
        };
      }
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cache stores dynamically generated cluster subclasses
      static #SingleEntryCache = new single_entry_cache_1.default();
      static factory(config) {
        let Cluster = _RedisCluster.#SingleEntryCache.get(config);
        if (!Cluster) {
          Cluster = (0, commander_1.attachConfig)({
            BaseClass: _RedisCluster,
            commands: commands_1.NON_STICKY_COMMANDS,
            createCommand: _RedisCluster.#createCommand,
            createModuleCommand: _RedisCluster.#createModuleCommand,
            createFunctionCommand: _RedisCluster.#createFunctionCommand,
            createScriptCommand: _RedisCluster.#createScriptCommand,
            config
          });
          Cluster.prototype.Multi = multi_command_1.default.extend(config);
          _RedisCluster.#SingleEntryCache.set(config, Cluster);
        }
        return (options) => {
          return Object.create(new Cluster(options));
        };
      }
      /**
       * Creates a new Redis Cluster client.
       *
       * Note: `rootNodes` is only used to discover the cluster topology; its configuration is not
       * inherited by the connections made to the discovered nodes. Any setting that should apply to
       * every connection in the cluster (e.g. credentials, TLS) must be specified via `defaults`:
       *
       * @example
       * ```javascript
       * createCluster({
       *   rootNodes: [{ url: 'rediss://external-host.io:30001' }],
       *   defaults: {
       *     password: 'password',
       *     socket: { tls: true }
       *   }
       * });
       * ```
       */
      static create(options) {
        return _RedisCluster.factory(options)(options);
      }
      _options;
      _slots;
      #identity;
      _self = this;
      _commandOptions;
      _policyResolver;
      /**
       * An array of the cluster slots, each slot contain its `master` and `replicas`.
       * Use with {@link RedisCluster.prototype.nodeClient} to get the client for a specific node (master or replica).
       */
      get slots() {
        return this._self._slots.slots;
      }
      get clientSideCache() {
        return this._self._slots.clientSideCache;
      }
      /**
       * The configured key prefix (see {@link RedisClusterOptions.keyPrefix}), if any.
       * @internal
       */
      get _keyPrefix() {
        return this._self._options.keyPrefix;
      }
      /**
       * An array of the cluster masters.
       * Use with {@link RedisCluster.prototype.nodeClient} to get the client for a specific master node.
       */
      get masters() {
        return this._self._slots.masters;
      }
      /**
       * An array of the cluster replicas.
       * Use with {@link RedisCluster.prototype.nodeClient} to get the client for a specific replica node.
       */
      get replicas() {
        return this._self._slots.replicas;
      }
      /**
       * A map form a node address (`<host>:<port>`) to its shard, each shard contain its `master` and `replicas`.
       * Use with {@link RedisCluster.prototype.nodeClient} to get the client for a specific node (master or replica).
       */
      get nodeByAddress() {
        return this._self._slots.nodeByAddress;
      }
      /**
       * The current pub/sub node.
       */
      get pubSubNode() {
        return this._self._slots.pubSubNode;
      }
      get isOpen() {
        return this._self._slots.isOpen;
      }
      get isReady() {
        return this._self._slots.isReady;
      }
      /**
       * @internal
       * Returns the cluster identity for tracking in metrics.
       */
      get identity() {
        return this._self.#identity;
      }
      constructor(options) {
        super();
        this.#identity = {
          id: (0, identity_1.generateClusterClientId)(options.rootNodes),
          role: identity_1.ClientRole.CLUSTER
        };
        this._options = options;
        this._slots = new cluster_slots_1.default(options, this.emit.bind(this), this.#identity.id);
        this.on(cluster_slots_1.RESUBSCRIBE_LISTENERS_EVENT, this.resubscribeAllPubSubListeners.bind(this));
        this._commandOptions = { timeout: defaults_1.DEFAULT_COMMAND_TIMEOUT, ...options?.commandOptions };
        this._policyResolver = command_metadata_1.defaultCommandMetadata;
      }
      duplicate(overrides) {
        return new (Object.getPrototypeOf(this)).constructor({
          ...this._self._options,
          // Inject the live registry explicitly (the options spread only carries it if the user
          // passed one) — a duplicate SHARES the parent's HIMPORT registrations.
          himportRegistry: this._self._slots.himportRegistry,
          commandOptions: this._commandOptions,
          ...overrides
        });
      }
      async connect() {
        await this._self._slots.connect();
        return this;
      }
      withCommandOptions(options) {
        const proxy = Object.create(this);
        proxy._commandOptions = options;
        return proxy;
      }
      _commandOptionsProxy(key, value) {
        const proxy = Object.create(this);
        proxy._commandOptions = { ...this._commandOptions, [key]: value };
        return proxy;
      }
      /**
       * Override the `typeMapping` command option
       */
      withTypeMapping(typeMapping) {
        return this._commandOptionsProxy("typeMapping", typeMapping);
      }
      // /**
      //  * Override the `policies` command option
      //  * TODO
      //  */
      // withPolicies<POLICIES extends CommandPolicies> (policies: POLICIES) {
      //   return this._commandOptionsProxy('policies', policies);
      // }
      _handleAsk(fn) {
        return async (client, options) => {
          const chainId = Symbol("asking chain");
          const opts = options ? { ...options } : {};
          opts.chainId = chainId;
          opts.askRedirect = true;
          const ret = await Promise.all([
            client.sendCommand([ASKING_1.ASKING_CMD], { chainId }),
            fn(client, opts)
          ]);
          return ret[1];
        };
      }
      /**
       * Resolves the command's policies and executes it accordingly: the request
       * policy picks the target clients, each target runs through the core
       * `_execute` transport primitive, and the response policy aggregates the
       * replies. Call sites pass a `makeFn` factory that builds the per-client
       * execution closure (command, script, or raw `sendCommand`).
       */
      async _executeWithPolicies(parser, isReadonly, options, makeFn) {
        const policyResult = this._policyResolver.resolvePolicy(parser.commandIdentifier);
        const policy = policyResult.ok ? policyResult.value : (0, command_metadata_1.defaultCommandPolicies)(parser.keys.length === 0);
        const readonly = (0, command_metadata_1.isReplicaSafe)(policy, isReadonly);
        const requestPolicy = policy.request;
        const responsePolicy = policy.response;
        if (requestPolicy === command_metadata_1.REQUEST_POLICIES_WITH_DEFAULTS.DEFAULT_KEYED && responsePolicy === command_metadata_1.RESPONSE_POLICIES_WITH_DEFAULTS.DEFAULT_KEYED) {
          return this._execute(parser, readonly, options, makeFn(parser));
        }
        const router = dispatch_1.REQUEST_ROUTERS[requestPolicy];
        if (!router) {
          throw new Error(`Unknown request policy ${requestPolicy}`);
        }
        const reducer = dispatch_1.RESPONSE_REDUCERS[responsePolicy];
        if (!reducer) {
          throw new Error(`Unknown response policy ${responsePolicy}`);
        }
        const plan = await router(this._slots, parser, readonly, policy.keySpecs);
        if (plan.length === 0) {
          throw new Error(`Request policy ${requestPolicy} produced no target nodes`);
        }
        const numericAgg = dispatch_1.NUMERIC_AGG_POLICIES.has(responsePolicy);
        const requestedMapping = options?.typeMapping;
        const execOptions = numericAgg && requestedMapping ? { ...options, typeMapping: void 0 } : options;
        const served = {};
        const responsePromises = plan.map(async (entry) => {
          const entryParser = entry.parser ?? parser;
          const client = entry.client ?? (entry.getClient ? await entry.getClient() : void 0);
          return this._execute(entryParser, readonly, execOptions, makeFn(entryParser), client, plan.length === 1 ? served : void 0);
        });
        const positionHints = plan.map((entry) => entry.groupIndices);
        let reply = await reducer(responsePromises, parser, positionHints);
        if (numericAgg) {
          reply = (0, dispatch_1.remapAggregateReply)(reply, requestedMapping);
        }
        const servedClient = served.client;
        const hookPlan = servedClient && servedClient !== plan[0].client ? [{ ...plan[0], client: servedClient }] : plan;
        try {
          reply = (0, ft_cursor_1.finalizeFtCursor)(this._slots, parser, hookPlan, reply);
        } catch {
        }
        try {
          reply = (0, scan_cursor_1.finalizeScanCursor)(this._slots, parser, hookPlan, reply);
        } catch {
        }
        return reply;
      }
      /**
       * Core transport primitive: sends one command to one client — resolved by
       * the parser's first key unless `pinnedClient` is given — with MOVED/ASK
       * redirect handling. Policy-free; fan-out and aggregation live in
       * `_executeWithPolicies`.
       */
      async _execute(parser, isReadonly, options, fn, pinnedClient, served) {
        const maxCommandRedirections = this._options.maxCommandRedirections ?? 16;
        let client;
        let slotNumber;
        if (pinnedClient) {
          client = pinnedClient;
          slotNumber = parser.firstKey === void 0 ? void 0 : (0, calculate_slot_1.default)(parser.firstKey);
        } else {
          ({ client, slotNumber } = await this._slots.getClientAndSlotNumber(parser.firstKey, isReadonly));
        }
        let i = 0;
        let myFn = fn;
        while (true) {
          try {
            if (served)
              served.client = client;
            const opts = { ...options, slotNumber };
            return await myFn(client, opts);
          } catch (_err) {
            const err = _err;
            myFn = fn;
            if (!(err instanceof Error)) {
              throw err;
            }
            const isRedirect = err.message.startsWith("ASK") || err.message.startsWith("MOVED");
            if (++i > maxCommandRedirections) {
              (0, tracing_1.publish)(tracing_1.CHANNELS.ERROR, () => ({
                error: err,
                origin: "cluster",
                internal: false,
                clientId: client._clientId,
                retryCount: i
              }));
              if (isRedirect) {
                throw new errors_1.MaxCommandRedirectionsError(err);
              }
              throw err;
            }
            if (err.message.startsWith("ASK")) {
              (0, tracing_1.publish)(tracing_1.CHANNELS.ERROR, () => ({
                error: err,
                origin: "cluster",
                internal: true,
                clientId: client._clientId,
                retryCount: i
              }));
              const address = err.message.substring(err.message.lastIndexOf(" ") + 1);
              let redirectTo = await this._slots.getMasterByAddress(address);
              if (!redirectTo) {
                await this._slots.rediscover(client);
                redirectTo = await this._slots.getMasterByAddress(address);
              }
              if (!redirectTo) {
                throw new Error(`Cannot find node ${address}`);
              }
              client = redirectTo;
              myFn = this._handleAsk(fn);
              continue;
            }
            if (err.message.startsWith("MOVED")) {
              (0, tracing_1.publish)(tracing_1.CHANNELS.ERROR, () => ({
                error: err,
                origin: "cluster",
                internal: true,
                clientId: client._clientId,
                retryCount: i
              }));
              await this._slots.rediscover(client);
              client = (await this._slots.getClientAndSlotNumber(parser.firstKey, isReadonly)).client;
              continue;
            }
            throw err;
          }
        }
      }
      async sendCommand(firstKey, isReadonly, args, options) {
        const opts = {
          ...this._commandOptions,
          ...options
        };
        const parser = new parser_1.BasicCommandParser();
        args.forEach((arg) => parser.push(arg));
        if (firstKey !== void 0)
          parser.markRoutingKey(firstKey);
        return this._self._executeWithPolicies(parser, isReadonly, opts, (p) => (client, opts2) => client.sendCommand(p.redisArgs, opts2));
      }
      MULTI(routing) {
        return new this.Multi(async (firstKey, isReadonly, commands) => {
          const parser = new parser_1.BasicCommandParser();
          if (firstKey !== void 0)
            parser.markRoutingKey(firstKey);
          return this._self._execute(parser, isReadonly, void 0, (client, options) => client._executeMulti(commands, void 0, options?.slotNumber, options?.chainId));
        }, async (firstKey, isReadonly, commands) => {
          const { client, slotNumber } = await this._self._slots.getClientAndSlotNumber(firstKey, isReadonly);
          return client._executePipeline(commands, void 0, slotNumber);
        }, routing, this._commandOptions?.typeMapping, this._self._keyPrefix);
      }
      multi = this.MULTI;
      async SUBSCRIBE(channels, listener, bufferMode) {
        return (await this._self._slots.getPubSubClient()).SUBSCRIBE(channels, listener, bufferMode);
      }
      subscribe = this.SUBSCRIBE;
      async UNSUBSCRIBE(channels, listener, bufferMode) {
        return this._self._slots.executeUnsubscribeCommand((client) => client.UNSUBSCRIBE(channels, listener, bufferMode));
      }
      unsubscribe = this.UNSUBSCRIBE;
      async PSUBSCRIBE(patterns, listener, bufferMode) {
        return (await this._self._slots.getPubSubClient()).PSUBSCRIBE(patterns, listener, bufferMode);
      }
      pSubscribe = this.PSUBSCRIBE;
      async PUNSUBSCRIBE(patterns, listener, bufferMode) {
        return this._self._slots.executeUnsubscribeCommand((client) => client.PUNSUBSCRIBE(patterns, listener, bufferMode));
      }
      pUnsubscribe = this.PUNSUBSCRIBE;
      async SSUBSCRIBE(channels, listener, bufferMode) {
        const maxCommandRedirections = this._self._options.maxCommandRedirections ?? 16, firstChannel = Array.isArray(channels) ? channels[0] : channels;
        let client = await this._self._slots.getShardedPubSubClient(firstChannel);
        for (let i = 0; ; i++) {
          try {
            return await client.SSUBSCRIBE(channels, listener, bufferMode);
          } catch (err) {
            if (!(err instanceof errors_1.ErrorReply)) {
              throw err;
            }
            const isRedirect = err.message.startsWith("MOVED");
            if (++i > maxCommandRedirections) {
              if (isRedirect) {
                throw new errors_1.MaxCommandRedirectionsError(err);
              }
              throw err;
            }
            if (isRedirect) {
              await this._self._slots.rediscover(client);
              client = await this._self._slots.getShardedPubSubClient(firstChannel);
              continue;
            }
            throw err;
          }
        }
      }
      sSubscribe = this.SSUBSCRIBE;
      SUNSUBSCRIBE(channels, listener, bufferMode) {
        return this._self._slots.executeShardedUnsubscribeCommand(Array.isArray(channels) ? channels[0] : channels, (client) => client.SUNSUBSCRIBE(channels, listener, bufferMode));
      }
      resubscribeAllPubSubListeners(allListeners) {
        if (allListeners.CHANNELS) {
          for (const [channel, listeners] of allListeners.CHANNELS) {
            listeners.buffers.forEach((bufListener) => {
              this.subscribe(channel, bufListener, true);
            });
            listeners.strings.forEach((strListener) => {
              this.subscribe(channel, strListener);
            });
          }
        }
        if (allListeners.PATTERNS) {
          for (const [channel, listeners] of allListeners.PATTERNS) {
            listeners.buffers.forEach((bufListener) => {
              this.pSubscribe(channel, bufListener, true);
            });
            listeners.strings.forEach((strListener) => {
              this.pSubscribe(channel, strListener);
            });
          }
        }
        if (allListeners.SHARDED) {
          for (const [channel, listeners] of allListeners.SHARDED) {
            listeners.buffers.forEach((bufListener) => {
              this.sSubscribe(channel, bufListener, true);
            });
            listeners.strings.forEach((strListener) => {
              this.sSubscribe(channel, strListener);
            });
          }
        }
      }
      sUnsubscribe = this.SUNSUBSCRIBE;
      /**
       * @deprecated Use `close` instead.
       */
      quit() {
        return this._self._slots.quit();
      }
      /**
       * @deprecated Use `destroy` instead.
       */
      disconnect() {
        return this._self._slots.disconnect();
      }
      close() {
        this._self._slots.clientSideCache?.onPoolClose();
        return this._self._slots.close();
      }
      destroy() {
        this._self._slots.clientSideCache?.onPoolClose();
        return this._self._slots.destroy();
      }
      nodeClient(node) {
        return this._self._slots.nodeClient(node);
      }
      /**
       * Returns a random node from the cluster.
       * Userful for running "forward" commands (like PUBLISH) on a random node.
       */
      getRandomNode() {
        return this._self._slots.getRandomNode();
      }
      /**
       * Get a random node from a slot.
       * Useful for running readonly commands on a slot.
       */
      getSlotRandomNode(slot) {
        return this._self._slots.getSlotRandomNode(slot);
      }
      /**
       * Returns the connected node client responsible for the given key's slot.
       * Useful for connection-level operations that the cluster client does not expose
       * directly, such as `WATCH` followed by `MULTI`/`EXEC`:
       *
       * ```javascript
       * const nodeClient = await cluster.getNodeClientForKey(key);
       * await nodeClient.WATCH(key);
       * const value = await nodeClient.GET(key);
       * const reply = await nodeClient.MULTI()
       *   .SET(key, calculateNewValue(value))
       *   .EXEC(); // `null` if `key` changed, retry
       * ```
       *
       * @param key - The key whose slot determines the node.
       * @param isReadonly - If `true`, may return a replica client; otherwise returns the slot master.
       */
      getNodeClientForKey(key, isReadonly) {
        return this._self._slots.getClientForKey(key, isReadonly);
      }
      /**
       * @deprecated use `.masters` instead
       * TODO
       */
      getMasters() {
        return this.masters;
      }
      /**
       * @deprecated use `.slots[<SLOT>]` instead
       * TODO
       */
      getSlotMaster(slot) {
        return this.slots[slot].master;
      }
    };
    exports.default = RedisCluster;
  }
});

// dist/lib/sentinel/utils.js
var require_utils2 = __commonJS({
  "dist/lib/sentinel/utils.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.getMappedNode = exports.createScriptCommand = exports.createModuleCommand = exports.createFunctionCommand = exports.createCommand = exports.clientSocketToNode = exports.mergeSentinelNodes = exports.createNodeList = exports.parseNode = void 0;
    var parser_1 = require_parser();
    var commander_1 = require_commander();
    var command_metadata_1 = require_command_metadata();
    function parseNode(node) {
      if (node.flags.includes("s_down") || node.flags.includes("disconnected") || node.flags.includes("failover_in_progress")) {
        return void 0;
      }
      return { host: node.ip, port: Number(node.port) };
    }
    exports.parseNode = parseNode;
    function createNodeList(nodes) {
      const nodeList = [];
      for (const nodeData of nodes) {
        const node = parseNode(nodeData);
        if (node === void 0) {
          continue;
        }
        nodeList.push(node);
      }
      return nodeList;
    }
    exports.createNodeList = createNodeList;
    function mergeSentinelNodes(seedNodes, discoveredNodes) {
      const seen = /* @__PURE__ */ new Set();
      const merged = [];
      for (const node of [...seedNodes, ...discoveredNodes]) {
        const key = `${node.host}:${node.port}`;
        if (!seen.has(key)) {
          merged.push({ host: node.host, port: node.port });
          seen.add(key);
        }
      }
      return merged;
    }
    exports.mergeSentinelNodes = mergeSentinelNodes;
    function clientSocketToNode(socket) {
      const s = socket;
      return {
        host: s.host,
        port: s.port
      };
    }
    exports.clientSocketToNode = clientSocketToNode;
    function createCommand(command, resp) {
      const transformReply = (0, commander_1.getTransformReply)(command, resp);
      let replicaSafe;
      return async function(...args) {
        const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
        command.parseCommand(parser, ...args);
        replicaSafe ??= (0, command_metadata_1.isReplicaSafe)(command_metadata_1.defaultCommandMetadata.lookup(parser.commandIdentifier), command.IS_READ_ONLY);
        return this._self._execute(replicaSafe, (client) => client._executeCommand(command, parser, this.commandOptions, transformReply));
      };
    }
    exports.createCommand = createCommand;
    function createFunctionCommand(name, fn, resp) {
      const prefix = (0, commander_1.functionArgumentsPrefix)(name, fn);
      const transformReply = (0, commander_1.getTransformReply)(fn, resp);
      return async function(...args) {
        const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
        parser.push(...prefix);
        fn.parseCommand(parser, ...args);
        return this._self._execute(fn.IS_READ_ONLY, (client) => client._executeCommand(fn, parser, this._self.commandOptions, transformReply));
      };
    }
    exports.createFunctionCommand = createFunctionCommand;
    function createModuleCommand(command, resp) {
      const transformReply = (0, commander_1.getTransformReply)(command, resp);
      let replicaSafe;
      return async function(...args) {
        const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
        command.parseCommand(parser, ...args);
        replicaSafe ??= (0, command_metadata_1.isReplicaSafe)(command_metadata_1.defaultCommandMetadata.lookup(parser.commandIdentifier), command.IS_READ_ONLY);
        return this._self._execute(replicaSafe, (client) => client._executeCommand(command, parser, this._self.commandOptions, transformReply));
      };
    }
    exports.createModuleCommand = createModuleCommand;
    function createScriptCommand(script, resp) {
      const prefix = (0, commander_1.scriptArgumentsPrefix)(script);
      const transformReply = (0, commander_1.getTransformReply)(script, resp);
      return async function(...args) {
        const parser = new parser_1.BasicCommandParser(this._self._keyPrefix);
        parser.push(...prefix);
        script.parseCommand(parser, ...args);
        return this._self._execute(script.IS_READ_ONLY, (client) => client._executeScript(script, parser, this.commandOptions, transformReply));
      };
    }
    exports.createScriptCommand = createScriptCommand;
    function getMappedNode(host, port, nodeAddressMap) {
      if (nodeAddressMap === void 0) {
        return { host, port };
      }
      const address = `${host}:${port}`;
      switch (typeof nodeAddressMap) {
        case "object":
          return nodeAddressMap[address] ?? { host, port };
        case "function":
          return nodeAddressMap(address) ?? { host, port };
      }
    }
    exports.getMappedNode = getMappedNode;
  }
});

// dist/lib/sentinel/multi-commands.js
var require_multi_commands = __commonJS({
  "dist/lib/sentinel/multi-commands.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    var commands_1 = require_commands();
    var multi_command_1 = __importDefault(require_multi_command());
    var commander_1 = require_commander();
    var parser_1 = require_parser();
    var command_metadata_1 = require_command_metadata();
    var RedisSentinelMultiCommand = class _RedisSentinelMultiCommand {
      static _createCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        let replicaSafe;
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this.#sentinel._keyPrefix);
          command.parseCommand(parser, ...args);
          const redisArgs = parser.redisArgs;
          redisArgs.preserve = parser.preserve;
          replicaSafe ??= (0, command_metadata_1.isReplicaSafe)(command_metadata_1.defaultCommandMetadata.lookup(parser.commandIdentifier), command.IS_READ_ONLY);
          return this.addCommand(replicaSafe, redisArgs, transformReply);
        };
      }
      static _createModuleCommand(command, resp) {
        const transformReply = (0, commander_1.getTransformReply)(command, resp);
        let replicaSafe;
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self.#sentinel._keyPrefix);
          command.parseCommand(parser, ...args);
          const redisArgs = parser.redisArgs;
          redisArgs.preserve = parser.preserve;
          replicaSafe ??= (0, command_metadata_1.isReplicaSafe)(command_metadata_1.defaultCommandMetadata.lookup(parser.commandIdentifier), command.IS_READ_ONLY);
          return this._self.addCommand(replicaSafe, redisArgs, transformReply);
        };
      }
      static _createFunctionCommand(name, fn, resp) {
        const prefix = (0, commander_1.functionArgumentsPrefix)(name, fn);
        const transformReply = (0, commander_1.getTransformReply)(fn, resp);
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this._self.#sentinel._keyPrefix);
          parser.push(...prefix);
          fn.parseCommand(parser, ...args);
          const redisArgs = parser.redisArgs;
          redisArgs.preserve = parser.preserve;
          return this._self.addCommand(fn.IS_READ_ONLY, redisArgs, transformReply);
        };
      }
      static _createScriptCommand(script, resp) {
        const transformReply = (0, commander_1.getTransformReply)(script, resp);
        return function(...args) {
          const parser = new parser_1.BasicCommandParser(this.#sentinel._keyPrefix);
          script.parseCommand(parser, ...args);
          const scriptArgs = parser.redisArgs;
          scriptArgs.preserve = parser.preserve;
          return this.#addScript(script.IS_READ_ONLY, script, scriptArgs, transformReply);
        };
      }
      static extend(config) {
        return (0, commander_1.attachConfig)({
          BaseClass: _RedisSentinelMultiCommand,
          commands: commands_1.NON_STICKY_COMMANDS,
          createCommand: _RedisSentinelMultiCommand._createCommand,
          createModuleCommand: _RedisSentinelMultiCommand._createModuleCommand,
          createFunctionCommand: _RedisSentinelMultiCommand._createFunctionCommand,
          createScriptCommand: _RedisSentinelMultiCommand._createScriptCommand,
          config
        });
      }
      #multi = new multi_command_1.default();
      #sentinel;
      #isReadonly = true;
      constructor(sentinel, typeMapping) {
        this.#multi = new multi_command_1.default(typeMapping);
        this.#sentinel = sentinel;
      }
      #setState(isReadonly) {
        this.#isReadonly &&= isReadonly;
      }
      addCommand(isReadonly, args, transformReply) {
        this.#setState(isReadonly);
        this.#multi.addCommand(args, transformReply);
        return this;
      }
      #addScript(isReadonly, script, args, transformReply) {
        this.#setState(isReadonly);
        this.#multi.addScript(script, args, transformReply);
        return this;
      }
      async exec(execAsPipeline = false) {
        if (execAsPipeline)
          return this.execAsPipeline();
        return this.#multi.transformReplies(await this.#sentinel._executeMulti(this.#isReadonly, this.#multi.queue));
      }
      EXEC = this.exec;
      execTyped(execAsPipeline = false) {
        return this.exec(execAsPipeline);
      }
      async execAsPipeline() {
        if (this.#multi.queue.length === 0)
          return [];
        return this.#multi.transformReplies(await this.#sentinel._executePipeline(this.#isReadonly, this.#multi.queue));
      }
      execAsPipelineTyped() {
        return this.execAsPipeline();
      }
      /**
       * Adds a raw command to the multi/pipeline queue.
       *
       * Note: Using this method breaks the type inference for `execTyped` and
       * `execAsPipelineTyped`. This is a known limitation and will be addressed
       * in the future.
       */
      sendCommand(args, options) {
        const redisArgs = args.slice();
        this.addCommand(options?.isReadonly, redisArgs);
        return this;
      }
    };
    exports.default = RedisSentinelMultiCommand;
  }
});

// dist/lib/sentinel/pub-sub-proxy.js
var require_pub_sub_proxy = __commonJS({
  "dist/lib/sentinel/pub-sub-proxy.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.PubSubProxy = void 0;
    var node_events_1 = __importDefault(__require("node:events"));
    var pub_sub_1 = require_pub_sub();
    var client_1 = __importDefault(require_client());
    var PubSubProxy = class extends node_events_1.default {
      #clientOptions;
      #onError;
      #node;
      #state;
      #subscriptions;
      constructor(clientOptions, onError) {
        super();
        this.#clientOptions = clientOptions;
        this.#onError = onError;
      }
      #createClient() {
        if (this.#node === void 0) {
          throw new Error("pubSubProxy: didn't define node to do pubsub against");
        }
        return new client_1.default({
          ...this.#clientOptions,
          socket: {
            ...this.#clientOptions.socket,
            host: this.#node.host,
            port: this.#node.port
          }
        });
      }
      async #initiatePubSubClient(withSubscriptions = false) {
        const client = this.#createClient().on("error", this.#onError);
        const connectPromise = client.connect().then(async (client2) => {
          if (this.#state?.client !== client2) {
            client2.destroy();
            return this.#state?.connectPromise;
          }
          if (withSubscriptions && this.#subscriptions) {
            await Promise.all([
              client2.extendPubSubListeners(pub_sub_1.PUBSUB_TYPE.CHANNELS, this.#subscriptions[pub_sub_1.PUBSUB_TYPE.CHANNELS]),
              client2.extendPubSubListeners(pub_sub_1.PUBSUB_TYPE.PATTERNS, this.#subscriptions[pub_sub_1.PUBSUB_TYPE.PATTERNS]),
              client2.extendPubSubListeners(pub_sub_1.PUBSUB_TYPE.SHARDED, this.#subscriptions[pub_sub_1.PUBSUB_TYPE.SHARDED])
            ]);
          }
          if (this.#state.client !== client2) {
            client2.destroy();
            return this.#state?.connectPromise;
          }
          this.#state.connectPromise = void 0;
          return client2;
        }).catch((err) => {
          this.#state = void 0;
          throw err;
        });
        this.#state = {
          client,
          connectPromise
        };
        return connectPromise;
      }
      #getPubSubClient() {
        if (!this.#state)
          return this.#initiatePubSubClient();
        return this.#state.connectPromise ?? this.#state.client;
      }
      async changeNode(node) {
        this.#node = node;
        if (!this.#state)
          return;
        if (this.#state.connectPromise === void 0) {
          this.#subscriptions = {
            [pub_sub_1.PUBSUB_TYPE.CHANNELS]: this.#state.client.getPubSubListeners(pub_sub_1.PUBSUB_TYPE.CHANNELS),
            [pub_sub_1.PUBSUB_TYPE.PATTERNS]: this.#state.client.getPubSubListeners(pub_sub_1.PUBSUB_TYPE.PATTERNS),
            [pub_sub_1.PUBSUB_TYPE.SHARDED]: this.#state.client.getPubSubListeners(pub_sub_1.PUBSUB_TYPE.SHARDED)
          };
          this.#state.client.destroy();
        }
        await this.#initiatePubSubClient(true);
      }
      #executeCommand(fn) {
        const client = this.#getPubSubClient();
        if (client instanceof client_1.default) {
          return fn(client);
        }
        return client.then((client2) => {
          if (client2 === void 0)
            return;
          return fn(client2);
        }).catch((err) => {
          if (this.#state?.client.isPubSubActive) {
            this.#state.client.destroy();
            this.#state = void 0;
          }
          throw err;
        });
      }
      subscribe(channels, listener, bufferMode) {
        return this.#executeCommand((client) => client.SUBSCRIBE(channels, listener, bufferMode));
      }
      #unsubscribe(fn) {
        return this.#executeCommand(async (client) => {
          const reply = await fn(client);
          if (!client.isPubSubActive) {
            client.destroy();
            this.#state = void 0;
          }
          return reply;
        });
      }
      async unsubscribe(channels, listener, bufferMode) {
        return this.#unsubscribe((client) => client.UNSUBSCRIBE(channels, listener, bufferMode));
      }
      async pSubscribe(patterns, listener, bufferMode) {
        return this.#executeCommand((client) => client.PSUBSCRIBE(patterns, listener, bufferMode));
      }
      async pUnsubscribe(patterns, listener, bufferMode) {
        return this.#unsubscribe((client) => client.PUNSUBSCRIBE(patterns, listener, bufferMode));
      }
      sSubscribe(channels, listener, bufferMode) {
        return this.#executeCommand((client) => client.SSUBSCRIBE(channels, listener, bufferMode));
      }
      async sUnsubscribe(channels, listener, bufferMode) {
        return this.#unsubscribe((client) => client.SUNSUBSCRIBE(channels, listener, bufferMode));
      }
      destroy() {
        this.#subscriptions = void 0;
        if (this.#state === void 0)
          return;
        if (!this.#state.connectPromise) {
          this.#state.client.destroy();
        }
        this.#state = void 0;
      }
    };
    exports.PubSubProxy = PubSubProxy;
  }
});

// dist/lib/sentinel/commands/SENTINEL_MASTER.js
var require_SENTINEL_MASTER = __commonJS({
  "dist/lib/sentinel/commands/SENTINEL_MASTER.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    var generic_transformers_1 = require_generic_transformers();
    exports.default = {
      /**
       * Returns information about the specified master.
       * @param parser - The Redis command parser.
       * @param dbname - Name of the master.
       */
      parseCommand(parser, dbname) {
        parser.push("SENTINEL", "MASTER", dbname);
      },
      transformReply: {
        2: generic_transformers_1.transformTuplesReply,
        3: void 0
      }
    };
  }
});

// dist/lib/sentinel/commands/SENTINEL_MONITOR.js
var require_SENTINEL_MONITOR = __commonJS({
  "dist/lib/sentinel/commands/SENTINEL_MONITOR.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {
      /**
       * Instructs a Sentinel to monitor a new master with the specified parameters.
       * @param parser - The Redis command parser.
       * @param dbname - Name that identifies the master.
       * @param host - Host of the master.
       * @param port - Port of the master.
       * @param quorum - Number of Sentinels that need to agree to trigger a failover.
       */
      parseCommand(parser, dbname, host, port, quorum) {
        parser.push("SENTINEL", "MONITOR", dbname, host, port, quorum);
      },
      transformReply: void 0
    };
  }
});

// dist/lib/sentinel/commands/SENTINEL_REPLICAS.js
var require_SENTINEL_REPLICAS = __commonJS({
  "dist/lib/sentinel/commands/SENTINEL_REPLICAS.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    var generic_transformers_1 = require_generic_transformers();
    exports.default = {
      /**
       * Returns a list of replicas for the specified master.
       * @param parser - The Redis command parser.
       * @param dbname - Name of the master.
       */
      parseCommand(parser, dbname) {
        parser.push("SENTINEL", "REPLICAS", dbname);
      },
      transformReply: {
        2: (reply, preserve, typeMapping) => {
          const inferred = reply;
          const initial = [];
          return inferred.reduce((sentinels, x) => {
            sentinels.push((0, generic_transformers_1.transformTuplesReply)(x, void 0, typeMapping));
            return sentinels;
          }, initial);
        },
        3: void 0
      }
    };
  }
});

// dist/lib/sentinel/commands/SENTINEL_SENTINELS.js
var require_SENTINEL_SENTINELS = __commonJS({
  "dist/lib/sentinel/commands/SENTINEL_SENTINELS.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    var generic_transformers_1 = require_generic_transformers();
    exports.default = {
      /**
       * Returns a list of Sentinel instances for the specified master.
       * @param parser - The Redis command parser.
       * @param dbname - Name of the master.
       */
      parseCommand(parser, dbname) {
        parser.push("SENTINEL", "SENTINELS", dbname);
      },
      transformReply: {
        2: (reply, preserve, typeMapping) => {
          const inferred = reply;
          const initial = [];
          return inferred.reduce((sentinels, x) => {
            sentinels.push((0, generic_transformers_1.transformTuplesReply)(x, void 0, typeMapping));
            return sentinels;
          }, initial);
        },
        3: void 0
      }
    };
  }
});

// dist/lib/sentinel/commands/SENTINEL_SET.js
var require_SENTINEL_SET = __commonJS({
  "dist/lib/sentinel/commands/SENTINEL_SET.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.default = {
      /**
       * Sets configuration parameters for a specific master.
       * @param parser - The Redis command parser.
       * @param dbname - Name of the master.
       * @param options - Configuration options to set as option-value pairs.
       */
      parseCommand(parser, dbname, options) {
        parser.push("SENTINEL", "SET", dbname);
        for (const option of options) {
          parser.push(option.option, option.value);
        }
      },
      transformReply: void 0
    };
  }
});

// dist/lib/sentinel/commands/index.js
var require_commands2 = __commonJS({
  "dist/lib/sentinel/commands/index.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    var SENTINEL_MASTER_1 = __importDefault(require_SENTINEL_MASTER());
    var SENTINEL_MONITOR_1 = __importDefault(require_SENTINEL_MONITOR());
    var SENTINEL_REPLICAS_1 = __importDefault(require_SENTINEL_REPLICAS());
    var SENTINEL_SENTINELS_1 = __importDefault(require_SENTINEL_SENTINELS());
    var SENTINEL_SET_1 = __importDefault(require_SENTINEL_SET());
    exports.default = {
      SENTINEL_SENTINELS: SENTINEL_SENTINELS_1.default,
      sentinelSentinels: SENTINEL_SENTINELS_1.default,
      SENTINEL_MASTER: SENTINEL_MASTER_1.default,
      sentinelMaster: SENTINEL_MASTER_1.default,
      SENTINEL_REPLICAS: SENTINEL_REPLICAS_1.default,
      sentinelReplicas: SENTINEL_REPLICAS_1.default,
      SENTINEL_MONITOR: SENTINEL_MONITOR_1.default,
      sentinelMonitor: SENTINEL_MONITOR_1.default,
      SENTINEL_SET: SENTINEL_SET_1.default,
      sentinelSet: SENTINEL_SET_1.default
    };
  }
});

// dist/lib/sentinel/module.js
var require_module = __commonJS({
  "dist/lib/sentinel/module.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    var commands_1 = __importDefault(require_commands2());
    exports.default = {
      sentinel: commands_1.default
    };
  }
});

// dist/lib/sentinel/wait-queue.js
var require_wait_queue = __commonJS({
  "dist/lib/sentinel/wait-queue.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.WaitQueue = void 0;
    var linked_list_1 = require_linked_list();
    var WaitQueue = class {
      #list = new linked_list_1.SinglyLinkedList();
      #queue = new linked_list_1.SinglyLinkedList();
      push(value) {
        const resolve = this.#queue.shift();
        if (resolve !== void 0) {
          resolve(value);
          return;
        }
        this.#list.push(value);
      }
      shift() {
        return this.#list.shift();
      }
      wait() {
        return new Promise((resolve) => this.#queue.push(resolve));
      }
    };
    exports.WaitQueue = WaitQueue;
  }
});

// dist/lib/sentinel/index.js
var require_sentinel = __commonJS({
  "dist/lib/sentinel/index.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.RedisSentinelFactory = exports.RedisSentinelInternal = exports.RedisSentinelClient = void 0;
    var node_events_1 = __require("node:events");
    var types_1 = require_types();
    var errors_1 = require_errors();
    var client_1 = __importDefault(require_client());
    var commander_1 = require_commander();
    var commands_1 = require_commands();
    var utils_1 = require_utils2();
    var multi_commands_1 = __importDefault(require_multi_commands());
    var pub_sub_proxy_1 = require_pub_sub_proxy();
    var promises_1 = __require("node:timers/promises");
    var module_1 = __importDefault(require_module());
    var parser_1 = require_parser();
    var wait_queue_1 = require_wait_queue();
    var cache_1 = require_cache();
    var identity_1 = require_identity();
    var registry_1 = require_registry();
    var defaults_1 = require_defaults();
    var RedisSentinelClient = class _RedisSentinelClient {
      #clientInfo;
      #internal;
      _self;
      /**
       * Indicates if the client connection is open
       *
       * @returns `true` if the client connection is open, `false` otherwise
       */
      get isOpen() {
        return this._self.#internal.isOpen;
      }
      /**
       * Indicates if the client connection is ready to accept commands
       *
       * @returns `true` if the client connection is ready, `false` otherwise
       */
      get isReady() {
        return this._self.#internal.isReady;
      }
      /**
       * Gets the command options configured for this client. Merges the constructor-set
       * options with any per-proxy override from `withCommandOptions(...)`.
       *
       * @returns The effective command options or `undefined` if none were set
       */
      get commandOptions() {
        return this._commandOptions !== void 0 ? { ...this._self.#commandOptions, ...this._commandOptions } : this._self.#commandOptions;
      }
      /**
       * The configured key prefix (see {@link RedisSentinelOptions.keyPrefix}), if any.
       * @internal
       */
      get _keyPrefix() {
        return this._self.#internal.keyPrefix;
      }
      #commandOptions;
      _commandOptions;
      constructor(internal, clientInfo, commandOptions) {
        this._self = this;
        this.#internal = internal;
        this.#clientInfo = clientInfo;
        this.#commandOptions = commandOptions;
      }
      static factory(config) {
        const SentinelClient = (0, commander_1.attachConfig)({
          BaseClass: _RedisSentinelClient,
          commands: commands_1.NON_STICKY_COMMANDS,
          createCommand: utils_1.createCommand,
          createModuleCommand: utils_1.createModuleCommand,
          createFunctionCommand: utils_1.createFunctionCommand,
          createScriptCommand: utils_1.createScriptCommand,
          config
        });
        SentinelClient.prototype.Multi = multi_commands_1.default.extend(config);
        return (internal, clientInfo, commandOptions) => {
          return Object.create(new SentinelClient(internal, clientInfo, commandOptions));
        };
      }
      static create(options, internal, clientInfo, commandOptions) {
        return _RedisSentinelClient.factory(options)(internal, clientInfo, commandOptions);
      }
      withCommandOptions(options) {
        const proxy = Object.create(this);
        proxy._commandOptions = options;
        return proxy;
      }
      _commandOptionsProxy(key, value) {
        const proxy = Object.create(this);
        proxy._commandOptions = { ...this.commandOptions, [key]: value };
        return proxy;
      }
      /**
       * Override the `typeMapping` command option
       */
      withTypeMapping(typeMapping) {
        return this._commandOptionsProxy("typeMapping", typeMapping);
      }
      async _execute(isReadonly, fn) {
        if (this._self.#clientInfo === void 0) {
          throw new Error("Attempted execution on released RedisSentinelClient lease");
        }
        return await this._self.#internal.execute(fn, this._self.#clientInfo);
      }
      async sendCommand(isReadonly, args, options) {
        const mergedOptions = { ...this.commandOptions, ...options };
        return this._execute(isReadonly, (client) => client.sendCommand(args, mergedOptions));
      }
      /**
       * @internal
       */
      async _executePipeline(isReadonly, commands) {
        return this._execute(isReadonly, (client) => client._executePipeline(commands));
      }
      /**f
        * @internal
        */
      async _executeMulti(isReadonly, commands) {
        return this._execute(isReadonly, (client) => client._executeMulti(commands));
      }
      MULTI() {
        return new this.Multi(this);
      }
      multi = this.MULTI;
      WATCH(key) {
        if (this._self.#clientInfo === void 0) {
          throw new Error("Attempted execution on released RedisSentinelClient lease");
        }
        const watchKeys = (0, parser_1.prefixKeys)(this._self._keyPrefix, key);
        return this._execute(false, (client) => client.watch(watchKeys));
      }
      watch = this.WATCH;
      UNWATCH() {
        if (this._self.#clientInfo === void 0) {
          throw new Error("Attempted execution on released RedisSentinelClient lease");
        }
        return this._execute(false, (client) => client.unwatch());
      }
      unwatch = this.UNWATCH;
      /**
       * Releases the client lease back to the pool
       *
       * After calling this method, the client instance should no longer be used as it
       * will be returned to the client pool and may be given to other operations.
       *
       * @returns A promise that resolves when the client is ready to be reused, or undefined
       *          if the client was immediately ready
       * @throws Error if the lease has already been released
       */
      release() {
        if (this._self.#clientInfo === void 0) {
          throw new Error("RedisSentinelClient lease already released");
        }
        const result = this._self.#internal.releaseClientLease(this._self.#clientInfo);
        this._self.#clientInfo = void 0;
        return result;
      }
    };
    exports.RedisSentinelClient = RedisSentinelClient;
    var RedisSentinel = class _RedisSentinel extends node_events_1.EventEmitter {
      _self;
      #internal;
      #options;
      #identity;
      /**
       * Indicates if the sentinel connection is open
       *
       * @returns `true` if the sentinel connection is open, `false` otherwise
       */
      get isOpen() {
        return this._self.#internal.isOpen;
      }
      /**
       * Indicates if the sentinel connection is ready to accept commands
       *
       * @returns `true` if the sentinel connection is ready, `false` otherwise
       */
      get isReady() {
        return this._self.#internal.isReady;
      }
      get commandOptions() {
        return this._commandOptions !== void 0 ? { ...this._self.#commandOptions, ...this._commandOptions } : this._self.#commandOptions;
      }
      /**
       * @internal
       * Returns the sentinel identity for tracking in metrics.
       */
      get identity() {
        return this._self.#identity;
      }
      #commandOptions;
      _commandOptions;
      #trace = () => {
      };
      #reservedClientInfo;
      #masterClientCount = 0;
      #masterClientInfo;
      get clientSideCache() {
        return this._self.#internal.clientSideCache;
      }
      /**
       * The configured key prefix (see {@link RedisSentinelOptions.keyPrefix}), if any.
       * @internal
       */
      get _keyPrefix() {
        return this._self.#options.keyPrefix;
      }
      constructor(options) {
        super();
        this._self = this;
        const firstSentinel = options.sentinelRootNodes[0];
        this.#identity = {
          id: (0, identity_1.generateClientId)(firstSentinel?.host, firstSentinel?.port, void 0),
          role: identity_1.ClientRole.SENTINEL
        };
        this.#options = options;
        this.#commandOptions = { timeout: defaults_1.DEFAULT_COMMAND_TIMEOUT, ...options.commandOptions };
        this.#internal = new RedisSentinelInternal(options, this.#identity.id);
        this.#internal.on("error", (err) => this.emit("error", err));
        this.#internal.on("connect", () => this.emit("connect")).on("ready", () => this.emit("ready")).on("reconnecting", () => this.emit("reconnecting")).on("end", () => this.emit("end"));
        this.#internal.on("topology-change", (event) => {
          if (!this.emit("topology-change", event)) {
            this._self.#trace(`RedisSentinel: re-emit for topology-change for ${event.type} event returned false`);
          }
        });
      }
      static factory(config) {
        const Sentinel = (0, commander_1.attachConfig)({
          BaseClass: _RedisSentinel,
          commands: commands_1.NON_STICKY_COMMANDS,
          createCommand: utils_1.createCommand,
          createModuleCommand: utils_1.createModuleCommand,
          createFunctionCommand: utils_1.createFunctionCommand,
          createScriptCommand: utils_1.createScriptCommand,
          config
        });
        Sentinel.prototype.Multi = multi_commands_1.default.extend(config);
        return (options) => {
          return Object.create(new Sentinel(options));
        };
      }
      static create(options) {
        return _RedisSentinel.factory(options)(options);
      }
      withCommandOptions(options) {
        const proxy = Object.create(this);
        proxy._commandOptions = options;
        return proxy;
      }
      _commandOptionsProxy(key, value) {
        const proxy = Object.create(this);
        proxy._commandOptions = { ...this.commandOptions, [key]: value };
        return proxy;
      }
      /**
       * Override the `typeMapping` command option
       */
      withTypeMapping(typeMapping) {
        return this._commandOptionsProxy("typeMapping", typeMapping);
      }
      duplicate(overrides) {
        return new (Object.getPrototypeOf(this)).constructor({
          ...this._self.#options,
          commandOptions: this.commandOptions,
          ...overrides
        });
      }
      async connect() {
        await this._self.#internal.connect();
        if (this._self.#options.reserveClient) {
          this._self.#reservedClientInfo = await this._self.#internal.getClientLease();
        }
        return this;
      }
      async _execute(isReadonly, fn) {
        let clientInfo;
        if (!isReadonly || !this._self.#internal.useReplicas) {
          if (this._self.#reservedClientInfo) {
            clientInfo = this._self.#reservedClientInfo;
          } else {
            this._self.#masterClientInfo ??= await this._self.#internal.getClientLease();
            clientInfo = this._self.#masterClientInfo;
            this._self.#masterClientCount++;
          }
        }
        try {
          return await this._self.#internal.execute(fn, clientInfo);
        } finally {
          if (clientInfo !== void 0 && clientInfo === this._self.#masterClientInfo && --this._self.#masterClientCount === 0) {
            const promise = this._self.#internal.releaseClientLease(clientInfo);
            this._self.#masterClientInfo = void 0;
            if (promise)
              await promise;
          }
        }
      }
      async use(fn) {
        const clientInfo = await this._self.#internal.getClientLease();
        try {
          return await fn(RedisSentinelClient.create(this._self.#options, this._self.#internal, clientInfo, this.commandOptions));
        } finally {
          const promise = this._self.#internal.releaseClientLease(clientInfo);
          if (promise)
            await promise;
        }
      }
      async sendCommand(isReadonly, args, options) {
        const mergedOptions = { ...this.commandOptions, ...options };
        return this._execute(isReadonly, (client) => client.sendCommand(args, mergedOptions));
      }
      /**
       * @internal
       */
      async _executePipeline(isReadonly, commands) {
        return this._execute(isReadonly, (client) => client._executePipeline(commands));
      }
      /**f
        * @internal
        */
      async _executeMulti(isReadonly, commands) {
        return this._execute(isReadonly, (client) => client._executeMulti(commands));
      }
      MULTI() {
        return new this.Multi(this);
      }
      multi = this.MULTI;
      async close() {
        try {
          await this._self.#internal.close();
        } finally {
          this._self.#releaseReservedLease();
        }
      }
      async destroy() {
        try {
          await this._self.#internal.destroy();
        } finally {
          this._self.#releaseReservedLease();
        }
      }
      // The reserved lease's slot must go back to the pool queue (it is only filled at
      // construction), otherwise a reopening connect() with reserveClient waits forever
      // for a free client.
      #releaseReservedLease() {
        if (this.#reservedClientInfo) {
          this.#internal.releaseClientLease(this.#reservedClientInfo);
          this.#reservedClientInfo = void 0;
        }
      }
      async SUBSCRIBE(channels, listener, bufferMode) {
        return this._self.#internal.subscribe(channels, listener, bufferMode);
      }
      subscribe = this.SUBSCRIBE;
      async UNSUBSCRIBE(channels, listener, bufferMode) {
        return this._self.#internal.unsubscribe(channels, listener, bufferMode);
      }
      unsubscribe = this.UNSUBSCRIBE;
      async PSUBSCRIBE(patterns, listener, bufferMode) {
        return this._self.#internal.pSubscribe(patterns, listener, bufferMode);
      }
      pSubscribe = this.PSUBSCRIBE;
      async PUNSUBSCRIBE(patterns, listener, bufferMode) {
        return this._self.#internal.pUnsubscribe(patterns, listener, bufferMode);
      }
      pUnsubscribe = this.PUNSUBSCRIBE;
      async SSUBSCRIBE(channels, listener, bufferMode) {
        return this._self.#internal.sSubscribe(channels, listener, bufferMode);
      }
      sSubscribe = this.SSUBSCRIBE;
      async SUNSUBSCRIBE(channels, listener, bufferMode) {
        return this._self.#internal.sUnsubscribe(channels, listener, bufferMode);
      }
      sUnsubscribe = this.SUNSUBSCRIBE;
      /**
       * Acquires a master client lease for exclusive operations
       *
       * Used when multiple commands need to run on an exclusive client (for example, using `WATCH/MULTI/EXEC`).
       * The returned client must be released after use with the `release()` method.
       *
       * @returns A promise that resolves to a Redis client connected to the master node
       * @example
       * ```javascript
       * const clientLease = await sentinel.acquire();
       *
       * try {
       *   await clientLease.watch('key');
       *   const resp = await clientLease.multi()
       *     .get('key')
       *     .exec();
       * } finally {
       *   clientLease.release();
       * }
       * ```
       */
      async acquire() {
        const clientInfo = await this._self.#internal.getClientLease();
        return RedisSentinelClient.create(this._self.#options, this._self.#internal, clientInfo, this.commandOptions);
      }
      getSentinelNode() {
        return this._self.#internal.getSentinelNode();
      }
      getMasterNode() {
        return this._self.#internal.getMasterNode();
      }
      getReplicaNodes() {
        return this._self.#internal.getReplicaNodes();
      }
      setTracer(tracer) {
        if (tracer) {
          this._self.#trace = (msg) => {
            tracer.push(msg);
          };
        } else {
          this._self.#trace = () => {
          };
        }
        this._self.#internal.setTracer(tracer);
      }
      /**
       * Async generator that iterates over keys on the Sentinel master by issuing
       * paged `SCAN` calls. Yields one array of keys per page until the SCAN cursor
       * returns to `0`.
       *
       * @remarks
       * With a configured `keyPrefix`, the yielded keys are the **already-prefixed** keys
       * as stored on the server — replies are never un-prefixed. Passing them straight back
       * into a key-prefixed command prefixes them a second time (e.g. with `keyPrefix: 'app:'`,
       * a yielded `'app:foo'` becomes `'app:app:foo'`). Strip the prefix before reusing the
       * keys, or read them with a client that has no `keyPrefix`.
       *
       * The master client lease is acquired for the duration of each `SCAN` call
       * and released before yielding, so consumers can issue other commands from
       * inside the `for await` loop body without deadlocking against the iterator
       * — even with `masterPoolSize: 1`.
       *
       * Throws `ScanIteratorInterruptedError` on observed `MASTER_CHANGE`.
       * Throws the underlying error on any other failure.
       *
       * @param options - SCAN options and an optional starting `cursor`. The
       *   starting cursor is honored only on the first call.
       * @yields Arrays of keys returned by each `SCAN` page. Pages may be empty.
       * @throws {ScanIteratorInterruptedError} On observed `MASTER_CHANGE`.
       */
      async *scanIterator(options) {
        let cursor = options?.cursor ?? "0";
        let masterChanged = false;
        const handleTopologyChange = (event) => {
          if (event.type === "MASTER_CHANGE") {
            masterChanged = true;
          }
        };
        this.on("topology-change", handleTopologyChange);
        try {
          do {
            if (masterChanged)
              throw new errors_1.ScanIteratorInterruptedError();
            let reply;
            try {
              reply = await this._execute(false, (client) => {
                if (masterChanged)
                  throw new errors_1.ScanIteratorInterruptedError();
                return client.scan(cursor, options);
              });
            } catch (err) {
              if (err instanceof errors_1.ScanIteratorInterruptedError)
                throw err;
              if (masterChanged)
                throw new errors_1.ScanIteratorInterruptedError(err);
              throw err;
            }
            cursor = reply.cursor;
            yield reply.keys;
          } while (cursor.toString() !== "0");
        } finally {
          this.removeListener("topology-change", handleTopologyChange);
        }
      }
    };
    exports.default = RedisSentinel;
    var RedisSentinelInternal = class extends node_events_1.EventEmitter {
      #isOpen = false;
      get isOpen() {
        return this.#isOpen;
      }
      #isReady = false;
      get isReady() {
        return this.#isReady;
      }
      /**
       * Single source of truth for the `#isOpen` transition. Emits `connect` when the
       * sentinel opens and `end` when it closes, once per real transition, so repeated
       * `close()`/`destroy()` calls fire `end` at most once.
       */
      #setOpen(value) {
        if (this.#isOpen === value)
          return;
        this.#isOpen = value;
        this.emit(value ? "connect" : "end");
      }
      /**
       * Single source of truth for the `#isReady` transition. Emits `ready` when the
       * sentinel becomes ready. A readiness drop while still open and not tearing down
       * (an actual topology reconfigure — see `transform()`) emits `reconnecting`; a
       * drop from `close()`/`destroy()` is silent because `#destroy` is set first.
       */
      #setReady(value) {
        if (this.#isReady === value)
          return;
        if (value && this.#destroy)
          return;
        this.#isReady = value;
        try {
          if (value) {
            this.emit("ready");
          } else if (this.#isOpen && !this.#destroy) {
            this.emit("reconnecting");
          }
        } catch (err) {
          queueMicrotask(() => this.emit("error", err));
        }
      }
      #name;
      #sentinelClientId;
      #nodeClientOptions;
      #sentinelClientOptions;
      #nodeAddressMap;
      #scanInterval;
      #passthroughClientErrorEvents;
      #RESP;
      #keyPrefix;
      /**
       * The configured key prefix (see {@link RedisSentinelOptions.keyPrefix}), if any.
       * @internal
       */
      get keyPrefix() {
        return this.#keyPrefix;
      }
      #anotherReset = false;
      #sentinelSeedNodes;
      #sentinelRootNodes;
      #sentinelClient;
      #masterClients = [];
      #masterClientQueue;
      #masterPoolSize;
      #replicaClients = [];
      #replicaClientsIdx = 0;
      #replicaPoolSize;
      get useReplicas() {
        return this.#replicaPoolSize > 0;
      }
      #connectPromise;
      #teardownPromise;
      // Kind of the in-flight teardown, so a destroy() can tell whether it is overlapping a
      // graceful close() (which it must preempt) or another destroy() (which it just joins).
      #teardownKind;
      // Set by #doClose() while it waits for command queues to drain; a preempting destroy()
      // calls it to abandon the drain and force-destroy the clients immediately.
      #escalateToDestroy;
      #maxCommandRediscovers;
      #pubSubProxy;
      #scanTimer;
      #destroy = false;
      #trace = () => {
      };
      #clientSideCache;
      get clientSideCache() {
        return this.#clientSideCache;
      }
      #validateOptions(options) {
        if (options?.clientSideCache && (options?.RESP ?? types_1.DEFAULT_RESP) !== 3) {
          throw new Error("Client Side Caching is only supported with RESP3");
        }
      }
      constructor(options, sentinelClientId) {
        super();
        this.#validateOptions(options);
        this.#name = options.name;
        this.#sentinelClientId = sentinelClientId;
        this.#RESP = options.RESP;
        this.#keyPrefix = options.keyPrefix;
        this.#sentinelSeedNodes = Array.from(options.sentinelRootNodes);
        this.#sentinelRootNodes = Array.from(this.#sentinelSeedNodes);
        this.#maxCommandRediscovers = options.maxCommandRediscovers ?? 16;
        this.#masterPoolSize = options.masterPoolSize ?? 1;
        this.#replicaPoolSize = options.replicaPoolSize ?? 0;
        this.#nodeAddressMap = options.nodeAddressMap;
        this.#scanInterval = options.scanInterval ?? 0;
        this.#passthroughClientErrorEvents = options.passthroughClientErrorEvents ?? false;
        this.#nodeClientOptions = options.nodeClientOptions ? { ...options.nodeClientOptions } : {};
        if (this.#nodeClientOptions.url !== void 0) {
          throw new Error("invalid nodeClientOptions for Sentinel");
        }
        this.#nodeClientOptions.himportRegistry = new registry_1.FieldsetRegistry();
        if (options.clientSideCache) {
          if (options.clientSideCache instanceof cache_1.PooledClientSideCacheProvider) {
            this.#clientSideCache = this.#nodeClientOptions.clientSideCache = options.clientSideCache;
          } else {
            const cscConfig = options.clientSideCache;
            this.#clientSideCache = this.#nodeClientOptions.clientSideCache = new cache_1.BasicPooledClientSideCache(cscConfig);
          }
        }
        this.#sentinelClientOptions = options.sentinelClientOptions ? Object.assign({}, options.sentinelClientOptions) : {};
        this.#sentinelClientOptions.modules = module_1.default;
        if (this.#sentinelClientOptions.url !== void 0) {
          throw new Error("invalid sentinelClientOptions for Sentinel");
        }
        this.#masterClientQueue = new wait_queue_1.WaitQueue();
        for (let i = 0; i < this.#masterPoolSize; i++) {
          this.#masterClientQueue.push(i);
        }
        this.#pubSubProxy = new pub_sub_proxy_1.PubSubProxy(this.#nodeClientOptions, (err) => this.emit("error", err));
      }
      #createClient(node, clientOptions, reconnectStrategy) {
        const socket = (0, utils_1.getMappedNode)(node.host, node.port, this.#nodeAddressMap);
        const client = client_1.default.create({
          //first take the globally set RESP
          RESP: this.#RESP,
          //then take the client options, which can in theory overwrite it
          ...clientOptions,
          socket: {
            ...clientOptions.socket,
            host: socket.host,
            port: socket.port,
            ...reconnectStrategy !== void 0 && { reconnectStrategy }
          }
        });
        client._setIdentity(identity_1.ClientRole.SENTINEL_CLIENT, this.#sentinelClientId);
        return client;
      }
      /**
       * Waits for a node client's `connect()`, rejecting on the first connection
       * error instead of waiting for the client to settle.
       *
       * Master and replica clients keep the caller's `reconnectStrategy`, which by
       * default retries forever, so when the resolved node is unreachable (e.g. a
       * TLS misconfiguration, or a firewalled address — see #3066) their
       * `connect()` promise never settles and `transform()` would await it
       * indefinitely. Rejecting on the first connection error hands the failure to
       * `#connect()`'s retry loop, which re-discovers the topology and, while not
       * yet ready, gives up after `maxCommandRediscovers` attempts so the public
       * `connect()` rejects instead of hanging. Per-attempt errors are still
       * surfaced through the existing `client-error` event (and `error` with
       * `passthroughClientErrorEvents`), unchanged.
       */
      #connectOrFail(client) {
        return new Promise((resolve, reject) => {
          const onError = (err) => reject(err);
          client.once("error", onError);
          client.connect().then(resolve, reject).finally(() => client.off("error", onError));
        });
      }
      /**
       * Gets a client lease from the master client pool
       *
       * @returns A client info object or a promise that resolves to a client info object
       *          when a client becomes available
       */
      getClientLease() {
        const id = this.#masterClientQueue.shift();
        if (id !== void 0) {
          return Promise.resolve({ id });
        }
        return this.#masterClientQueue.wait().then((id2) => ({ id: id2 }));
      }
      /**
       * Releases a client lease back to the pool
       *
       * If the client was used for a transaction that might have left it in a dirty state,
       * it will be reset before being returned to the pool.
       *
       * @param clientInfo The client info object representing the client to release
       * @returns A promise that resolves when the client is ready to be reused, or undefined
       *          if the client was immediately ready or no longer exists
       */
      releaseClientLease(clientInfo) {
        const client = this.#masterClients[clientInfo.id];
        if (client !== void 0) {
          const dirtyPromise = client.resetIfDirty();
          if (dirtyPromise) {
            return dirtyPromise.then(() => this.#masterClientQueue.push(clientInfo.id));
          }
        }
        this.#masterClientQueue.push(clientInfo.id);
      }
      async connect() {
        if (this.#isOpen) {
          throw new Error("already attempting to open");
        }
        const connectPromise = this.#connect();
        try {
          this.#connectPromise = connectPromise;
          this.#setOpen(true);
          await connectPromise;
        } catch (err) {
          await this.destroy();
          throw err;
        } finally {
          if (this.#connectPromise === connectPromise) {
            this.#connectPromise = void 0;
          }
          if (this.#isReady && this.#scanInterval > 0) {
            this.#scanTimer = setInterval(this.#resetInBackground.bind(this), this.#scanInterval);
          }
        }
      }
      async #connect() {
        let count = 0;
        while (true) {
          this.#trace("starting connect loop");
          if (this.#destroy) {
            this.#trace("in #connect and want to destroy");
            return;
          }
          try {
            this.#anotherReset = false;
            await this.transform(this.analyze(await this.observe()));
            if (this.#anotherReset) {
              this.#trace("#connect: anotherReset is true, so continuing");
              continue;
            }
            this.#setReady(true);
            this.#trace("#connect: returning");
            return;
          } catch (e) {
            const err = e;
            this.#trace(`#connect: exception ${err.message}`);
            if (++count > this.#maxCommandRediscovers) {
              throw e;
            }
            await (0, promises_1.setTimeout)(1e3);
          } finally {
            this.#trace("finished connect");
          }
        }
      }
      async execute(fn, clientInfo) {
        let iter = 0;
        while (true) {
          if (this.#connectPromise !== void 0) {
            await this.#connectPromise;
          }
          const client = this.#getClient(clientInfo);
          if (!client.isReady) {
            await this.#reset();
            continue;
          }
          const sockOpts = client.options?.socket;
          this.#trace("attemping to send command to " + sockOpts?.host + ":" + sockOpts?.port);
          try {
            return await fn(client);
          } catch (err) {
            if (++iter > this.#maxCommandRediscovers || !(err instanceof Error)) {
              throw err;
            }
            if (clientInfo !== void 0 && (err.message.startsWith("READONLY") || !client.isReady)) {
              await this.#reset();
              continue;
            }
            throw err;
          }
        }
      }
      async #createPubSub(client) {
        await client.pSubscribe(["switch-master", "[-+]sdown", "+slave", "+sentinel", "[-+]odown", "+slave-reconf-done"], (message, channel) => {
          this.#handlePubSubControlChannel(channel, message);
        }, true);
        return client;
      }
      #handlePubSubControlChannel(channel, _message) {
        this.#trace("pubsub control channel message on " + channel);
        this.#resetInBackground();
      }
      // if clientInfo is defined, it corresponds to a master client in the #masterClients array, otherwise loop around replicaClients
      #getClient(clientInfo) {
        if (clientInfo !== void 0) {
          return this.#masterClients[clientInfo.id];
        }
        if (this.#replicaClientsIdx >= this.#replicaClients.length) {
          this.#replicaClientsIdx = 0;
        }
        if (this.#replicaClients.length == 0) {
          throw new Error("no replicas available for read");
        }
        return this.#replicaClients[this.#replicaClientsIdx++];
      }
      async #reset() {
        if (this.#destroy == true) {
          return;
        }
        if (this.#connectPromise !== void 0) {
          this.#anotherReset = true;
          return await this.#connectPromise;
        }
        if (this.#isOpen == false) {
          return;
        }
        const connectPromise = this.#connect();
        try {
          this.#connectPromise = connectPromise;
          return await connectPromise;
        } finally {
          this.#trace("finished reconfgure");
          if (this.#connectPromise === connectPromise) {
            this.#connectPromise = void 0;
          }
        }
      }
      #resetInBackground() {
        void this.#reset().catch((err) => this.emit("error", err));
      }
      #sentinelNodeListKey(nodes) {
        return nodes.map((node) => `${node.host}:${node.port}`).sort().join("|");
      }
      #restoreSentinelRootNodesIfEmpty() {
        if (this.#sentinelRootNodes.length !== 0) {
          return;
        }
        this.#trace("restoring sentinel roots from seed nodes");
        this.#sentinelRootNodes = Array.from(this.#sentinelSeedNodes);
      }
      #handleSentinelFailure(node) {
        const found = this.#sentinelRootNodes.findIndex((rootNode) => rootNode.host === node.host && rootNode.port === node.port);
        if (found !== -1) {
          this.#sentinelRootNodes.splice(found, 1);
        }
        this.#restoreSentinelRootNodesIfEmpty();
        this.#resetInBackground();
      }
      /**
       * Gracefully close the sentinel, waiting for pending commands to drain.
       *
       * Serializes with any in-flight teardown: overlapping close()/destroy() calls join it
       * instead of running a second pass over already-emptied client arrays — a second pass
       * would emit `end` early and let the tail of the first pass kill a sentinel that a
       * listener has since reopened.
       */
      async close() {
        return this.#teardown("close");
      }
      /**
       * Forcefully destroy the sentinel, rejecting pending commands immediately.
       *
       * Coalesces with an in-flight teardown, but a destroy() that overlaps a graceful
       * close() preempts it: close() can block indefinitely on a draining command queue,
       * whereas destroy() must terminate now.
       */
      async destroy() {
        return this.#teardown("destroy");
      }
      #teardown(kind) {
        if (this.#teardownPromise === void 0) {
          const teardown = (kind === "destroy" ? this.#doDestroy() : this.#doClose()).finally(() => {
            if (this.#teardownPromise === teardown) {
              this.#teardownPromise = void 0;
              this.#teardownKind = void 0;
            }
          });
          if (this.#teardownPromise === void 0) {
            this.#teardownKind = kind;
            this.#teardownPromise = teardown;
          }
          return teardown;
        }
        if (kind === "destroy" && this.#teardownKind === "close") {
          this.#teardownKind = "destroy";
          this.#escalateToDestroy?.();
        }
        return this.#teardownPromise;
      }
      async #doClose() {
        this.#destroy = true;
        if (this.#connectPromise != void 0) {
          await this.#connectPromise.catch(() => void 0);
        }
        this.#setReady(false);
        this.#clientSideCache?.onPoolClose();
        if (this.#scanTimer) {
          clearInterval(this.#scanTimer);
          this.#scanTimer = void 0;
        }
        const clients = [];
        const gracefulClosePromises = [];
        if (this.#sentinelClient !== void 0) {
          if (this.#sentinelClient.isOpen) {
            clients.push(this.#sentinelClient);
            gracefulClosePromises.push(this.#sentinelClient.close());
          }
          this.#sentinelClient = void 0;
        }
        for (const client of this.#masterClients) {
          if (client.isOpen) {
            clients.push(client);
            gracefulClosePromises.push(client.close());
          }
        }
        this.#masterClients = [];
        for (const client of this.#replicaClients) {
          if (client.isOpen) {
            clients.push(client);
            gracefulClosePromises.push(client.close());
          }
        }
        this.#replicaClients = [];
        await new Promise((resolve) => {
          let settled = false;
          const forceDestroy = () => {
            if (settled)
              return;
            settled = true;
            this.#escalateToDestroy = void 0;
            for (const client of clients) {
              try {
                client.destroy();
              } catch {
              }
            }
            resolve();
          };
          if (this.#teardownKind === "destroy") {
            forceDestroy();
            return;
          }
          this.#escalateToDestroy = forceDestroy;
          Promise.allSettled(gracefulClosePromises).then(() => {
            if (settled)
              return;
            settled = true;
            this.#escalateToDestroy = void 0;
            resolve();
          });
        });
        this.#pubSubProxy.destroy();
        this.#destroy = false;
        this.#teardownPromise = void 0;
        this.#teardownKind = void 0;
        this.#setOpen(false);
      }
      // destroy has to be async because its stopping others async events, timers and the like
      // and shouldn't return until its finished.
      async #doDestroy() {
        this.#destroy = true;
        if (this.#connectPromise != void 0) {
          await this.#connectPromise.catch(() => void 0);
        }
        this.#setReady(false);
        this.#clientSideCache?.onPoolClose();
        if (this.#scanTimer) {
          clearInterval(this.#scanTimer);
          this.#scanTimer = void 0;
        }
        if (this.#sentinelClient !== void 0) {
          if (this.#sentinelClient.isOpen) {
            this.#sentinelClient.destroy();
          }
          this.#sentinelClient = void 0;
        }
        for (const client of this.#masterClients) {
          if (client.isOpen) {
            client.destroy();
          }
        }
        this.#masterClients = [];
        for (const client of this.#replicaClients) {
          if (client.isOpen) {
            client.destroy();
          }
        }
        this.#replicaClients = [];
        this.#pubSubProxy.destroy();
        this.#destroy = false;
        this.#teardownPromise = void 0;
        this.#teardownKind = void 0;
        this.#setOpen(false);
      }
      async subscribe(channels, listener, bufferMode) {
        return this.#pubSubProxy.subscribe(channels, listener, bufferMode);
      }
      async unsubscribe(channels, listener, bufferMode) {
        return this.#pubSubProxy.unsubscribe(channels, listener, bufferMode);
      }
      async pSubscribe(patterns, listener, bufferMode) {
        return this.#pubSubProxy.pSubscribe(patterns, listener, bufferMode);
      }
      async pUnsubscribe(patterns, listener, bufferMode) {
        return this.#pubSubProxy.pUnsubscribe(patterns, listener, bufferMode);
      }
      async sSubscribe(channels, listener, bufferMode) {
        return this.#pubSubProxy.sSubscribe(channels, listener, bufferMode);
      }
      async sUnsubscribe(channels, listener, bufferMode) {
        return this.#pubSubProxy.sUnsubscribe(channels, listener, bufferMode);
      }
      // observe/analyze/transform remediation functions
      async observe() {
        this.#restoreSentinelRootNodesIfEmpty();
        for (const node of this.#sentinelRootNodes) {
          let client;
          try {
            this.#trace(`observe: trying to connect to sentinel: ${node.host}:${node.port}`);
            client = this.#createClient(node, this.#sentinelClientOptions, false);
            client.on("error", (err) => this.emit("error", `obseve client error: ${err}`));
            await client.connect();
            this.#trace(`observe: connected to sentinel`);
            const [sentinelData, masterData, replicaData] = await Promise.all([
              client.sentinel.sentinelSentinels(this.#name),
              client.sentinel.sentinelMaster(this.#name),
              client.sentinel.sentinelReplicas(this.#name)
            ]);
            this.#trace("observe: got all sentinel data");
            const ret = {
              sentinelConnected: node,
              sentinelData,
              masterData,
              replicaData,
              currentMaster: this.getMasterNode(),
              currentReplicas: this.getReplicaNodes(),
              currentSentinel: this.getSentinelNode(),
              replicaPoolSize: this.#replicaPoolSize,
              useReplicas: this.useReplicas
            };
            return ret;
          } catch (err) {
            this.#trace(`observe: error ${err}`);
            this.emit("error", err);
          } finally {
            if (client !== void 0 && client.isOpen) {
              this.#trace(`observe: destroying sentinel client`);
              client.destroy();
            }
          }
        }
        this.#trace(`observe: none of the sentinels are available`);
        throw new Error("None of the sentinels are available");
      }
      analyze(observed) {
        let master = (0, utils_1.parseNode)(observed.masterData);
        if (master === void 0) {
          this.#trace(`analyze: no valid master node because ${observed.masterData.flags}`);
          throw new Error("no valid master node");
        }
        if (master.host === observed.currentMaster?.host && master.port === observed.currentMaster?.port) {
          this.#trace(`analyze: master node hasn't changed from ${observed.currentMaster?.host}:${observed.currentMaster?.port}`);
          master = void 0;
        } else {
          this.#trace(`analyze: master node has changed to ${master.host}:${master.port} from ${observed.currentMaster?.host}:${observed.currentMaster?.port}`);
        }
        let sentinel = observed.sentinelConnected;
        if (sentinel.host === observed.currentSentinel?.host && sentinel.port === observed.currentSentinel.port) {
          this.#trace(`analyze: sentinel node hasn't changed`);
          sentinel = void 0;
        } else {
          this.#trace(`analyze: sentinel node has changed to ${sentinel.host}:${sentinel.port}`);
        }
        const replicasToClose = [];
        const replicasToOpen = /* @__PURE__ */ new Map();
        const desiredSet = /* @__PURE__ */ new Set();
        const seen = /* @__PURE__ */ new Set();
        if (observed.useReplicas) {
          const replicaList = (0, utils_1.createNodeList)(observed.replicaData);
          for (const node of replicaList) {
            desiredSet.add(JSON.stringify(node));
          }
          for (const [node, value] of observed.currentReplicas) {
            if (!desiredSet.has(JSON.stringify(node))) {
              replicasToClose.push(node);
              this.#trace(`analyze: adding ${node.host}:${node.port} to replicsToClose`);
            } else {
              seen.add(JSON.stringify(node));
              if (value != observed.replicaPoolSize) {
                replicasToOpen.set(node, observed.replicaPoolSize - value);
                this.#trace(`analyze: adding ${node.host}:${node.port} to replicsToOpen`);
              }
            }
          }
          for (const node of replicaList) {
            if (!seen.has(JSON.stringify(node))) {
              replicasToOpen.set(node, observed.replicaPoolSize);
              this.#trace(`analyze: adding ${node.host}:${node.port} to replicsToOpen`);
            }
          }
        }
        const ret = {
          sentinelList: [observed.sentinelConnected].concat((0, utils_1.createNodeList)(observed.sentinelData)),
          epoch: Number(observed.masterData["config-epoch"]),
          sentinelToOpen: sentinel,
          masterToOpen: master,
          replicasToClose,
          replicasToOpen
        };
        return ret;
      }
      async transform(analyzed) {
        this.#trace("transform: enter");
        const promises = [];
        if (analyzed.sentinelToOpen) {
          this.#trace(`transform: opening a new sentinel`);
          if (this.#sentinelClient !== void 0 && this.#sentinelClient.isOpen) {
            this.#trace(`transform: destroying old sentinel as open`);
            this.#sentinelClient.destroy();
            this.#sentinelClient = void 0;
          } else {
            this.#trace(`transform: not destroying old sentinel as not open`);
          }
          this.#trace(`transform: creating new sentinel to ${analyzed.sentinelToOpen.host}:${analyzed.sentinelToOpen.port}`);
          const node = analyzed.sentinelToOpen;
          const client = this.#createClient(analyzed.sentinelToOpen, this.#sentinelClientOptions, false);
          client.on("error", (err) => {
            if (this.#passthroughClientErrorEvents) {
              this.emit("error", new Error(`Sentinel Client (${node.host}:${node.port}): ${err.message}`, { cause: err }));
            }
            const event2 = {
              type: "SENTINEL",
              node: (0, utils_1.clientSocketToNode)(client.options.socket),
              error: err
            };
            this.emit("client-error", event2);
            this.#handleSentinelFailure(node);
          });
          this.#sentinelClient = client;
          this.#trace(`transform: adding sentinel client connect() to promise list`);
          const promise = this.#sentinelClient.connect().then((client2) => {
            return this.#createPubSub(client2);
          });
          promises.push(promise);
          this.#trace(`created sentinel client to ${analyzed.sentinelToOpen.host}:${analyzed.sentinelToOpen.port}`);
          const event = {
            type: "SENTINEL_CHANGE",
            node: analyzed.sentinelToOpen
          };
          this.#trace(`transform: emiting topology-change event for sentinel_change`);
          if (!this.emit("topology-change", event)) {
            this.#trace(`transform: emit for topology-change for sentinel_change returned false`);
          }
        }
        if (analyzed.masterToOpen) {
          this.#trace(`transform: opening a new master`);
          this.#setReady(false);
          const masterPromises = [];
          const masterWatches = [];
          this.#trace(`transform: destroying old masters if open`);
          for (const client of this.#masterClients) {
            masterWatches.push(client.isWatching || client.isDirtyWatch);
            if (client.isOpen) {
              client.destroy();
            }
          }
          this.#masterClients = [];
          this.#trace(`transform: creating all master clients and adding connect promises`);
          for (let i = 0; i < this.#masterPoolSize; i++) {
            const node = analyzed.masterToOpen;
            const client = this.#createClient(analyzed.masterToOpen, this.#nodeClientOptions);
            client.on("error", (err) => {
              if (this.#passthroughClientErrorEvents) {
                this.emit("error", new Error(`Master Client (${node.host}:${node.port}): ${err.message}`, { cause: err }));
              }
              const event2 = {
                type: "MASTER",
                node: (0, utils_1.clientSocketToNode)(client.options.socket),
                error: err
              };
              this.emit("client-error", event2);
            });
            if (masterWatches[i]) {
              client.setDirtyWatch("sentinel config changed in middle of a WATCH Transaction");
            }
            this.#masterClients.push(client);
            masterPromises.push(this.#connectOrFail(client));
            this.#trace(`created master client to ${analyzed.masterToOpen.host}:${analyzed.masterToOpen.port}`);
          }
          this.#trace(`transform: adding promise to change #pubSubProxy node`);
          const mappedPubSubNode = (0, utils_1.getMappedNode)(analyzed.masterToOpen.host, analyzed.masterToOpen.port, this.#nodeAddressMap);
          masterPromises.push(this.#pubSubProxy.changeNode(mappedPubSubNode));
          promises.push(...masterPromises);
          const event = {
            type: "MASTER_CHANGE",
            node: analyzed.masterToOpen
          };
          this.#trace(`transform: emiting topology-change event for master_change`);
          if (!this.emit("topology-change", event)) {
            this.#trace(`transform: emit for topology-change for master_change returned false`);
          }
        }
        const replicaCloseSet = /* @__PURE__ */ new Set();
        for (const node of analyzed.replicasToClose) {
          const str = JSON.stringify(node);
          replicaCloseSet.add(str);
        }
        const newClientList = [];
        const removedSet = /* @__PURE__ */ new Set();
        for (const replica of this.#replicaClients) {
          const node = (0, utils_1.clientSocketToNode)(replica.options.socket);
          const str = JSON.stringify(node);
          if (replicaCloseSet.has(str) || !replica.isOpen) {
            if (replica.isOpen) {
              const sockOpts = replica.options?.socket;
              this.#trace(`destroying replica client to ${sockOpts?.host}:${sockOpts?.port}`);
              replica.destroy();
            }
            if (!removedSet.has(str)) {
              const event = {
                type: "REPLICA_REMOVE",
                node
              };
              this.emit("topology-change", event);
              removedSet.add(str);
            }
          } else {
            newClientList.push(replica);
          }
        }
        this.#replicaClients = newClientList;
        if (analyzed.replicasToOpen.size != 0) {
          for (const [node, size] of analyzed.replicasToOpen) {
            for (let i = 0; i < size; i++) {
              const client = this.#createClient(node, this.#nodeClientOptions);
              client.on("error", (err) => {
                if (this.#passthroughClientErrorEvents) {
                  this.emit("error", new Error(`Replica Client (${node.host}:${node.port}): ${err.message}`, { cause: err }));
                }
                const event2 = {
                  type: "REPLICA",
                  node: (0, utils_1.clientSocketToNode)(client.options.socket),
                  error: err
                };
                this.emit("client-error", event2);
              });
              this.#replicaClients.push(client);
              promises.push(this.#connectOrFail(client));
              this.#trace(`created replica client to ${node.host}:${node.port}`);
            }
            const event = {
              type: "REPLICA_ADD",
              node
            };
            this.emit("topology-change", event);
          }
        }
        const mergedSentinelList = (0, utils_1.mergeSentinelNodes)(this.#sentinelSeedNodes, analyzed.sentinelList);
        if (this.#sentinelNodeListKey(mergedSentinelList) !== this.#sentinelNodeListKey(this.#sentinelRootNodes)) {
          this.#sentinelRootNodes = mergedSentinelList;
          const event = {
            type: "SENTINE_LIST_CHANGE",
            size: mergedSentinelList.length
          };
          this.emit("topology-change", event);
        }
        await Promise.all(promises);
        this.#trace("transform: exit");
      }
      // introspection functions
      getMasterNode() {
        if (this.#masterClients.length == 0) {
          return void 0;
        }
        for (const master of this.#masterClients) {
          if (master.isReady) {
            return (0, utils_1.clientSocketToNode)(master.options.socket);
          }
        }
        return void 0;
      }
      getSentinelNode() {
        if (this.#sentinelClient === void 0) {
          return void 0;
        }
        return (0, utils_1.clientSocketToNode)(this.#sentinelClient.options.socket);
      }
      getReplicaNodes() {
        const ret = /* @__PURE__ */ new Map();
        const initialMap = /* @__PURE__ */ new Map();
        for (const replica of this.#replicaClients) {
          const node = (0, utils_1.clientSocketToNode)(replica.options.socket);
          const hash = JSON.stringify(node);
          if (replica.isReady) {
            initialMap.set(hash, (initialMap.get(hash) ?? 0) + 1);
          } else {
            if (!initialMap.has(hash)) {
              initialMap.set(hash, 0);
            }
          }
        }
        for (const [key, value] of initialMap) {
          ret.set(JSON.parse(key), value);
        }
        return ret;
      }
      setTracer(tracer) {
        if (tracer) {
          this.#trace = (msg) => {
            tracer.push(msg);
          };
        } else {
          this.#trace = () => {
          };
        }
      }
    };
    exports.RedisSentinelInternal = RedisSentinelInternal;
    var RedisSentinelFactory = class extends node_events_1.EventEmitter {
      options;
      #sentinelRootNodes;
      #replicaIdx = -1;
      constructor(options) {
        super();
        this.options = options;
        this.#sentinelRootNodes = options.sentinelRootNodes;
      }
      async updateSentinelRootNodes() {
        for (const node of this.#sentinelRootNodes) {
          const client = client_1.default.create({
            ...this.options.sentinelClientOptions,
            socket: {
              ...this.options.sentinelClientOptions?.socket,
              host: node.host,
              port: node.port,
              reconnectStrategy: false
            },
            modules: module_1.default
          }).on("error", (err) => this.emit(`updateSentinelRootNodes: ${err}`));
          try {
            await client.connect();
          } catch {
            if (client.isOpen) {
              client.destroy();
            }
            continue;
          }
          try {
            const sentinelData = await client.sentinel.sentinelSentinels(this.options.name);
            this.#sentinelRootNodes = [node].concat((0, utils_1.createNodeList)(sentinelData));
            return;
          } finally {
            client.destroy();
          }
        }
        throw new Error("Couldn't connect to any sentinel node");
      }
      async getMasterNode() {
        let connected = false;
        for (const node of this.#sentinelRootNodes) {
          const client = client_1.default.create({
            ...this.options.sentinelClientOptions,
            socket: {
              ...this.options.sentinelClientOptions?.socket,
              host: node.host,
              port: node.port,
              reconnectStrategy: false
            },
            modules: module_1.default
          }).on("error", (err) => this.emit(`getMasterNode: ${err}`));
          try {
            await client.connect();
          } catch {
            if (client.isOpen) {
              client.destroy();
            }
            continue;
          }
          connected = true;
          try {
            const masterData = await client.sentinel.sentinelMaster(this.options.name);
            const master = (0, utils_1.parseNode)(masterData);
            if (master === void 0) {
              continue;
            }
            return master;
          } finally {
            client.destroy();
          }
        }
        if (connected) {
          throw new Error("Master Node Not Enumerated");
        }
        throw new Error("couldn't connect to any sentinels");
      }
      async getMasterClient() {
        const master = await this.getMasterNode();
        const socket = (0, utils_1.getMappedNode)(master.host, master.port, this.options.nodeAddressMap);
        return client_1.default.create({
          ...this.options.nodeClientOptions,
          socket: {
            ...this.options.nodeClientOptions?.socket,
            host: socket.host,
            port: socket.port
          }
        });
      }
      async getReplicaNodes() {
        let connected = false;
        for (const node of this.#sentinelRootNodes) {
          const client = client_1.default.create({
            ...this.options.sentinelClientOptions,
            socket: {
              ...this.options.sentinelClientOptions?.socket,
              host: node.host,
              port: node.port,
              reconnectStrategy: false
            },
            modules: module_1.default
          }).on("error", (err) => this.emit(`getReplicaNodes: ${err}`));
          try {
            await client.connect();
          } catch {
            if (client.isOpen) {
              client.destroy();
            }
            continue;
          }
          connected = true;
          try {
            const replicaData = await client.sentinel.sentinelReplicas(this.options.name);
            const replicas = (0, utils_1.createNodeList)(replicaData);
            if (replicas.length == 0) {
              continue;
            }
            return replicas;
          } finally {
            client.destroy();
          }
        }
        if (connected) {
          throw new Error("No Replicas Nodes Enumerated");
        }
        throw new Error("couldn't connect to any sentinels");
      }
      async getReplicaClient() {
        const replicas = await this.getReplicaNodes();
        if (replicas.length == 0) {
          throw new Error("no available replicas");
        }
        this.#replicaIdx++;
        if (this.#replicaIdx >= replicas.length) {
          this.#replicaIdx = 0;
        }
        const replica = replicas[this.#replicaIdx];
        const socket = (0, utils_1.getMappedNode)(replica.host, replica.port, this.options.nodeAddressMap);
        return client_1.default.create({
          ...this.options.nodeClientOptions,
          socket: {
            ...this.options.nodeClientOptions?.socket,
            host: socket.host,
            port: socket.port
          }
        });
      }
    };
    exports.RedisSentinelFactory = RedisSentinelFactory;
  }
});

// dist/lib/commands/GEOSEARCH.js
var require_GEOSEARCH = __commonJS({
  "dist/lib/commands/GEOSEARCH.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.parseGeoSearchOptions = exports.parseGeoSearchArguments = void 0;
    function parseGeoSearchArguments(parser, key, from, by, options) {
      parser.pushKey(key);
      if (typeof from === "string" || from instanceof Buffer) {
        parser.push("FROMMEMBER", from);
      } else {
        parser.push("FROMLONLAT", from.longitude.toString(), from.latitude.toString());
      }
      if ("radius" in by) {
        parser.push("BYRADIUS", by.radius.toString(), by.unit);
      } else {
        parser.push("BYBOX", by.width.toString(), by.height.toString(), by.unit);
      }
      parseGeoSearchOptions(parser, options);
    }
    exports.parseGeoSearchArguments = parseGeoSearchArguments;
    function parseGeoSearchOptions(parser, options) {
      if (options?.SORT) {
        parser.push(options.SORT);
      }
      if (options?.COUNT) {
        if (typeof options.COUNT === "number") {
          parser.push("COUNT", options.COUNT.toString());
        } else {
          parser.push("COUNT", options.COUNT.value.toString());
          if (options.COUNT.ANY) {
            parser.push("ANY");
          }
        }
      }
    }
    exports.parseGeoSearchOptions = parseGeoSearchOptions;
    exports.default = {
      parseCommand(parser, key, from, by, options) {
        parser.push("GEOSEARCH");
        parseGeoSearchArguments(parser, key, from, by, options);
      },
      transformReply: void 0
    };
  }
});

// dist/lib/commands/GEOSEARCH_WITH.js
var require_GEOSEARCH_WITH = __commonJS({
  "dist/lib/commands/GEOSEARCH_WITH.js"(exports) {
    "use strict";
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.GEO_REPLY_WITH = void 0;
    var decoder_1 = require_decoder();
    var GEOSEARCH_1 = __importDefault(require_GEOSEARCH());
    var generic_transformers_1 = require_generic_transformers();
    exports.GEO_REPLY_WITH = {
      DISTANCE: "WITHDIST",
      HASH: "WITHHASH",
      COORDINATES: "WITHCOORD"
    };
    exports.default = {
      parseCommand(parser, key, from, by, replyWith, options) {
        GEOSEARCH_1.default.parseCommand(parser, key, from, by, options);
        parser.push(...replyWith);
        parser.preserve = replyWith;
      },
      transformReply(reply, replyWith, typeMapping) {
        const replyWithSet = new Set(replyWith);
        let index = 0;
        const distanceIndex = replyWithSet.has(exports.GEO_REPLY_WITH.DISTANCE) && ++index, hashIndex = replyWithSet.has(exports.GEO_REPLY_WITH.HASH) && ++index, coordinatesIndex = replyWithSet.has(exports.GEO_REPLY_WITH.COORDINATES) && ++index;
        const doubleMapping = typeMapping ? typeMapping[decoder_1.RESP_TYPES.DOUBLE] : void 0;
        const parseDouble = (value) => {
          if (typeof value !== "number") {
            return generic_transformers_1.transformDoubleReply[2](value, void 0, typeMapping);
          }
          if (doubleMapping === String) {
            return value.toString();
          }
          return value;
        };
        return reply.map((raw) => {
          const unwrapped = raw;
          const item = {
            member: unwrapped[0]
          };
          if (distanceIndex) {
            item.distance = parseDouble(unwrapped[distanceIndex]);
          }
          if (hashIndex) {
            item.hash = unwrapped[hashIndex];
          }
          if (coordinatesIndex) {
            const [longitude, latitude] = unwrapped[coordinatesIndex];
            item.coordinates = {
              longitude: parseDouble(longitude),
              latitude: parseDouble(latitude)
            };
          }
          return item;
        });
      }
    };
  }
});

// dist/index.js
var require_dist = __commonJS({
  "dist/index.js"(exports) {
    "use strict";
    var __createBinding = exports && exports.__createBinding || (Object.create ? (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      var desc = Object.getOwnPropertyDescriptor(m, k);
      if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
        desc = { enumerable: true, get: function() {
          return m[k];
        } };
      }
      Object.defineProperty(o, k2, desc);
    }) : (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      o[k2] = m[k];
    }));
    var __exportStar = exports && exports.__exportStar || function(m, exports2) {
      for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports2, p)) __createBinding(exports2, m, p);
    };
    var __importDefault = exports && exports.__importDefault || function(mod) {
      return mod && mod.__esModule ? mod : { "default": mod };
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.CHANNELS = exports.OpenTelemetry = exports.BasicPooledClientSideCache = exports.BasicClientSideCache = exports.AR_OPERATIONS = exports.AR_PREDICATE_COMBINATORS = exports.AR_PREDICATE_TYPES = exports.REDIS_FLUSH_MODES = exports.COMMAND_LIST_FILTER_BY = exports.CLUSTER_SLOT_STATES = exports.FAILOVER_MODES = exports.CLIENT_UNBLOCK_MODES = exports.CLIENT_KILL_FILTERS = exports.GEO_REPLY_WITH = exports.createSentinel = exports.RedisSentinelClient = exports.RedisSentinel = exports.createCluster = exports.RedisCluster = exports.createClientPool = exports.RedisClientPool = exports.createClient = exports.RedisClient = exports.digest = exports.defineScript = exports.VerbatimString = exports.RESP_TYPES = exports.DEFAULT_RESP = void 0;
    var types_1 = require_types();
    Object.defineProperty(exports, "DEFAULT_RESP", { enumerable: true, get: function() {
      return types_1.DEFAULT_RESP;
    } });
    var decoder_1 = require_decoder();
    Object.defineProperty(exports, "RESP_TYPES", { enumerable: true, get: function() {
      return decoder_1.RESP_TYPES;
    } });
    var verbatim_string_1 = require_verbatim_string();
    Object.defineProperty(exports, "VerbatimString", { enumerable: true, get: function() {
      return verbatim_string_1.VerbatimString;
    } });
    var lua_script_1 = require_lua_script();
    Object.defineProperty(exports, "defineScript", { enumerable: true, get: function() {
      return lua_script_1.defineScript;
    } });
    var digest_1 = require_digest();
    Object.defineProperty(exports, "digest", { enumerable: true, get: function() {
      return digest_1.digest;
    } });
    __exportStar(require_errors(), exports);
    var client_1 = __importDefault(require_client());
    exports.RedisClient = client_1.default;
    exports.createClient = client_1.default.create;
    var pool_1 = require_pool();
    Object.defineProperty(exports, "RedisClientPool", { enumerable: true, get: function() {
      return pool_1.RedisClientPool;
    } });
    exports.createClientPool = pool_1.RedisClientPool.create;
    var cluster_1 = __importDefault(require_cluster());
    exports.RedisCluster = cluster_1.default;
    exports.createCluster = cluster_1.default.create;
    var sentinel_1 = __importDefault(require_sentinel());
    exports.RedisSentinel = sentinel_1.default;
    var sentinel_2 = require_sentinel();
    Object.defineProperty(exports, "RedisSentinelClient", { enumerable: true, get: function() {
      return sentinel_2.RedisSentinelClient;
    } });
    exports.createSentinel = sentinel_1.default.create;
    var GEOSEARCH_WITH_1 = require_GEOSEARCH_WITH();
    Object.defineProperty(exports, "GEO_REPLY_WITH", { enumerable: true, get: function() {
      return GEOSEARCH_WITH_1.GEO_REPLY_WITH;
    } });
    var commands_1 = require_commands();
    Object.defineProperty(exports, "CLIENT_KILL_FILTERS", { enumerable: true, get: function() {
      return commands_1.CLIENT_KILL_FILTERS;
    } });
    Object.defineProperty(exports, "CLIENT_UNBLOCK_MODES", { enumerable: true, get: function() {
      return commands_1.CLIENT_UNBLOCK_MODES;
    } });
    Object.defineProperty(exports, "FAILOVER_MODES", { enumerable: true, get: function() {
      return commands_1.FAILOVER_MODES;
    } });
    Object.defineProperty(exports, "CLUSTER_SLOT_STATES", { enumerable: true, get: function() {
      return commands_1.CLUSTER_SLOT_STATES;
    } });
    Object.defineProperty(exports, "COMMAND_LIST_FILTER_BY", { enumerable: true, get: function() {
      return commands_1.COMMAND_LIST_FILTER_BY;
    } });
    Object.defineProperty(exports, "REDIS_FLUSH_MODES", { enumerable: true, get: function() {
      return commands_1.REDIS_FLUSH_MODES;
    } });
    Object.defineProperty(exports, "AR_PREDICATE_TYPES", { enumerable: true, get: function() {
      return commands_1.AR_PREDICATE_TYPES;
    } });
    Object.defineProperty(exports, "AR_PREDICATE_COMBINATORS", { enumerable: true, get: function() {
      return commands_1.AR_PREDICATE_COMBINATORS;
    } });
    Object.defineProperty(exports, "AR_OPERATIONS", { enumerable: true, get: function() {
      return commands_1.AR_OPERATIONS;
    } });
    var cache_1 = require_cache();
    Object.defineProperty(exports, "BasicClientSideCache", { enumerable: true, get: function() {
      return cache_1.BasicClientSideCache;
    } });
    Object.defineProperty(exports, "BasicPooledClientSideCache", { enumerable: true, get: function() {
      return cache_1.BasicPooledClientSideCache;
    } });
    var opentelemetry_1 = require_opentelemetry();
    Object.defineProperty(exports, "OpenTelemetry", { enumerable: true, get: function() {
      return opentelemetry_1.OpenTelemetry;
    } });
    var tracing_1 = require_tracing();
    Object.defineProperty(exports, "CHANNELS", { enumerable: true, get: function() {
      return tracing_1.CHANNELS;
    } });
  }
});

// <stdin>
var redis = __toESM(require_dist());
var { createClient, createCluster, createSentinel, ErrorReply } = redis;
export {
  ErrorReply,
  createClient,
  createCluster,
  createSentinel
};
