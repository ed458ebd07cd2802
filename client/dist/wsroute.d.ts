// wsroute browser client: the types of dist/wsroute.js, emitted by tsc from client/src/wsroute.ts.
/** Where a socket is: its first connection, open, between connections, or stopped for good. */
export type State = 'connecting' | 'open' | 'reconnecting' | 'closed';
/** What a message can be sent as: objects are JSON-encoded, strings go as text, binary data as binary. */
export type Data = string | ArrayBuffer | ArrayBufferView | Blob;
/** The options of {@link connect}; every one is optional. */
export interface Options {
    /** Reconnect when the connection drops with a code the server's table marks as retried. Default true. */
    autoReconnect?: boolean;
    /** Share one connection per URL between every tab of the origin (Web Locks and BroadcastChannel). Default false. */
    shared?: boolean;
    /**
     * The CSRF token of a `@csrf` route, or a function that fetches one. It is sent as the
     * subprotocol `csrf.<token>` beside `wsroute`. A function is called before the first
     * connection and once more after a 4002 close. Default none.
     */
    token?: string | (() => string | Promise<string>);
    /** The base of the full-jitter backoff, in ms: the n-th retry waits up to reconnectDelay·2ⁿ. Default 3000. */
    reconnectDelay?: number;
    /** The longest wait between two attempts, in ms. Default 20000. */
    maxReconnectDelay?: number;
    /** How many retries in a row before giving up; reset once a connection stays up 5 s. Default 10. */
    maxReconnectAttempts?: number;
    /** How long {@link Socket.request} waits for its reply, in ms. Default 10000. */
    requestTimeout?: number;
    /** How many sends wait while not connected; one more emits `error`. Default 100. */
    bufferLimit?: number;
}
/** The argument of the `close` event: the close code and reason that stopped the socket. */
export interface CloseInfo {
    code: number;
    reason: string;
}
/** The argument of the `reconnecting` event: how the connection dropped, and when the next attempt is. */
export interface ReconnectInfo extends CloseInfo {
    /** The retry about to be made, from 1; 0 for the one retry with a fresh token after 4002, or a takeover in shared mode. */
    attempt: number;
    /** The wait before it, in ms. */
    delay: number;
}
/** The options of one {@link Socket.request}. */
export interface RequestOptions {
    /** How long to wait for the reply, in ms. Defaults to the socket's requestTimeout. */
    timeout?: number;
}
/** A connection made by {@link connect}. */
export interface Socket {
    /** Where the socket is. */
    readonly state: State;
    /** Whether it is open now: state === 'open'. */
    readonly connected: boolean;
    /** Calls fn when the socket opens, the first time and after each reconnect. */
    on(event: 'open', fn: () => void): this;
    /** Calls fn once, when the socket stops for good: closed by the page, by a code that is not retried, or out of attempts. */
    on(event: 'close', fn: (info: CloseInfo) => void): this;
    /** Calls fn when the connection dropped and another attempt is scheduled. */
    on(event: 'reconnecting', fn: (info: ReconnectInfo) => void): this;
    /** Calls fn on a send that was dropped (buffer full, socket closed) or a token() that failed. */
    on(event: 'error', fn: (err: Error) => void): this;
    /** Calls fn with every message that is not a reply: parsed JSON, or the raw string or ArrayBuffer. */
    on(event: 'message', fn: (data: any) => void): this;
    /** Calls fn with every JSON message whose `type` field is event. */
    on(event: string, fn: (data: any) => void): this;
    /** Removes fn, added with on. */
    off(event: string, fn: (...args: any[]) => void): this;
    /**
     * Sends value: objects as JSON, strings as text, binary data as binary. While not open,
     * the value waits in the buffer. It returns false if the value was dropped (then
     * `error` was emitted).
     */
    send(value: unknown): boolean;
    /**
     * Sends value as a JSON object with a `callbackid` field (a value that is not an object
     * goes as `{data: value}`) and resolves with the server's reply, the message carrying the
     * same `callbackid`. It rejects on timeout, when the connection drops after the request
     * was sent, and when the socket closes.
     */
    request<T = any>(value: unknown, options?: RequestOptions): Promise<T>;
    /** Stops the socket: closes the connection with code (default 1000) and reason, and emits `close`. */
    close(code?: number, reason?: string): void;
}
/**
 * Opens a socket to path: a URL, absolute (ws:, wss:, http:, https:) or relative to
 * the page, whose scheme then follows the page's (https pages get wss:).
 */
export declare function connect(path: string, options?: Options): Socket;
