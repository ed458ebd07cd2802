// Command lobby is a game lobby with rooms, in the style of the game server of
// vite-plugin-universal-api: every player starts in the room "lobby", creates or joins
// games, and game actions go to the players of that game only. It also speaks the
// plugin's room chat (join-room, leave-room, message) and answers a request
// (list-games) with a reply that carries the request's callback id.
//
//	go run ./examples/lobby      # then connect to ws://localhost:8001/api/ws/game/
//
// The protocol, JSON in both directions (every message has a "type"):
//
//	→ (on connect)                                   ← {"type":"joined-lobby","id":…}
//	→ {"type":"create-game"}                         ← {"type":"game-created","gameId":…}
//	→ {"type":"join-game","gameId":…}                ← {"type":"game-joined","gameId":…}; the game's
//	                                                    other players get {"type":"player-joined","playerId":…}
//	→ {"type":"game-action","gameId":…,"action":…}   the game's players, sender included, get
//	                                                    {"type":"game-update","action":…,"playerId":…}
//	→ {"type":"list-games","callbackid":…}           ← {"callbackid":…,"games":[{"gameId":…,"players":…}]}
//	→ {"type":"join-room","room":…,"username":…}     the room's other members get {"type":"user-joined",…}
//	→ {"type":"message","room":…,"username":…,"text":…}  the room, sender included, gets {"type":"chat-message",…}
//	→ {"type":"leave-room","room":…}
//	← {"type":"error","message":…} for a request that cannot be served
//
// A game is a room named "game:<id>"; it exists while it has players: when the last one
// leaves or disconnects, the room is freed and the game disappears from list-games.
// PORT overrides the port.
package main
